// GDAL's C API: vector files (OGR) and their coordinate systems. Only this module includes it.
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
