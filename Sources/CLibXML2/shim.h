// libxml2 as Debian builds it includes ICU's headers from encoding.h; they clash with the ICU
// Foundation bundles (UErrorCode defined twice). We use no ICU-backed encoder, and only pointers
// to the structs that would carry ICU fields, so the headers are read without it.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
