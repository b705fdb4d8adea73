import AlertIngest
import Atlas
import Foundation
import Geo
import ThreatModel

// The readers under libFuzzer. Built by Scripts/fuzz.sh with `-sanitize=fuzzer,address` and
// THREATMAP_FUZZ defined, this file is a libFuzzer target: THREATMAP_FUZZ_TARGET (text, json,
// cap, csv or geojson) says which reader each input goes to. An error thrown is a good answer;
// a crash, a trap or a sanitizer report is a finding. Built plainly (`swift build`), it is a
// replayer: `threatmap-fuzz TARGET FILE...` runs each file through that reader once, which is
// how the regression inputs under Tests/FuzzRegressions are replayed.

enum FuzzTarget: String, CaseIterable {
    case text, json, cap, csv, geojson
}

/// The reader of one target, with the GeoData it resolves against, made once.
final class FuzzReaders {
    let target: FuzzTarget
    let reader: AlertReader?

    init(target: FuzzTarget) throws {
        self.target = target
        if target == .geojson {
            reader = nil
        } else {
            let root = try GeoDataLocation.maliDirectory().deletingLastPathComponent()
            reader = AlertReader(context: try ResolutionContext.load(geodata: root))
        }
    }

    func run(_ bytes: [UInt8]) {
        switch target {
        case .geojson:
            _ = try? GeoJSONReader().read(bytes)
        case .text, .json, .cap:
            _ = try? reader?.read(bytes, format: AlertFormat(rawValue: target.rawValue))
        case .csv:
            _ = try? reader?.read(bytes, format: .csv)
        }
    }
}

#if THREATMAP_FUZZ
nonisolated(unsafe) var readers: FuzzReaders?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if readers != nil { return 0 }  // the driver calls this too
    let name = ProcessInfo.processInfo.environment["THREATMAP_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("set THREATMAP_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    do {
        readers = try FuzzReaders(target: target)
    } catch {
        FileHandle.standardError.write(Data("cannot load GeoData: \(error)\n".utf8))
        exit(2)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    readers?.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point under this name; libFuzzer's driver runs from it.
@_cdecl("threatmap_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    _ = fuzzInitialize(&count, withUnsafeMutablePointer(to: &arguments) { $0 })
    return runDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}
#else
@main
struct Replay {
    static func main() throws {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: threatmap-fuzz TARGET FILE...   (TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        let readers = try FuzzReaders(target: target)
        for path in args.dropFirst() {
            readers.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("ok: \(path)")
        }
    }
}
#endif
