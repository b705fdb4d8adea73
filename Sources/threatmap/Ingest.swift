import AlertIngest
import ArgumentParser
import Foundation
import ThreatMapCore
import ThreatModel
import ThreatStore

/// `--store PATH|URL`, else THREATMAP_STORE, else threatmap.sqlite in the working directory.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The store: a SQLite file's path, or postgresql://USER[:PASSWORD]@HOST[:PORT]/DB for a shared PostgreSQL + PostGIS store (default: $THREATMAP_STORE, else threatmap.sqlite).",
        discussion: "A PostgreSQL URL may add ?sslmode=disable|allow|prefer|require|verify-ca|verify-full (default prefer; require encrypts without checking the certificate), sslrootcert=FILE.pem (the authorities verify-ca and verify-full trust, else the system's), pool_size=N (connections, default 4) and statement_timeout=MILLISECONDS (default 60000; 0: none); the password may instead come from PGPASSWORD, and is never printed.",
        valueName: "path-or-url"))
    var store: String?

    var path: String {
        store ?? ProcessInfo.processInfo.environment[Stores.environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Stores.defaultPath
    }

    /// The store; a batch command's writes wait up to `busySeconds` for another process's.
    func open(busySeconds: TimeInterval = Stores.defaultBusySeconds) throws -> any ThreatStore {
        try Stores.open(path, busySeconds: busySeconds)
    }
}

/// One line about a stored alert: id, regions, zones, level, state.
func describe(_ stored: StoredAlert) -> String {
    let a = stored.alert
    var line = "\(a.id)  regions=\(a.regionIDs.joined(separator: ",").nonEmpty)  zones=\(a.zoneIDs.joined(separator: ",").nonEmpty)  level=\(a.level.rawValue) (\(a.level.label))"
    if stored.state != .active { line += "  \(stored.state.rawValue)" }
    if stored.action == .replaced { line += "  (replaced the stored version)" }
    return line
}

extension String {
    var nonEmpty: String { isEmpty ? "-" : self }
}

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read alerts into the store; prints what each became.",
        discussion: """
            Each file is read (its format detected from the content unless --format says), resolved, and stored \
            in one transaction with its bytes and SHA-256: it lands whole or not at all. The same file twice is \
            stored once; an update supersedes what it updates and a cancel ends what it cancels. Prints a line \
            per alert (id, regions, zones, level) and per event table. Exits non-zero if any input failed, after \
            storing the ones that did not; an event table's good rows are stored and its bad rows reported.
            """
    )

    @Argument(help: ArgumentHelp("Alert files: advisory text, JSON, CAP XML, event CSV.", valueName: "file"))
    var files: [String]

    @OptionGroup var read: ReadOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var geodata: GeoDataOptions

    @Flag(name: .shortAndLong, help: "Report the time each step takes, on standard error.")
    var verbose = false

    func run() async throws {
        let clock = ContinuousClock()
        var mark = clock.now
        func step(_ what: String) {
            guard verbose else { return }
            let now = clock.now
            note(String(format: "%8.3f s  %@", Double((now - mark).components.attoseconds) / 1e18 + Double((now - mark).components.seconds), what))
            mark = now
        }
        let intake = Intake(store: try storeOptions.open(busySeconds: 600), resolution: try geodata.resolutionContext(toleranceKilometres: read.toleranceKilometres))
        step("loaded GeoData and opened the store")
        var failures = 0
        for file in files {
            do {
                let bytes = try readInput(file)
                step("read \(file) (\(bytes.count) bytes)")
                let outcome = try intake.take(bytes, name: URL(fileURLWithPath: file).lastPathComponent, format: read.format)
                step("read, resolved and stored \(file) in one transaction")
                for e in outcome.rowErrors { note("\(file): \(e)") }
                for o in outcome.outside { note("\(file): \(o) (stored, in no region)") }
                if !outcome.rowErrors.isEmpty { failures += 1 }
                if outcome.report.unchanged {
                    print("\(file): already stored (document \(outcome.report.documentID)); nothing changed")
                    continue
                }
                for a in outcome.report.alerts { print(describe(a)) }
                if outcome.isTable {
                    print("\(file): \(outcome.report.incidents) incidents\(outcome.merged > 0 ? " (\(outcome.merged) repeated rows merged)" : "")\(outcome.rowErrors.isEmpty ? "" : ", \(outcome.rowErrors.count) bad rows")\(outcome.outside.isEmpty ? "" : ", \(outcome.outside.count) outside Mali")")
                }
                for id in outcome.report.ended { print("  ended \(id)") }
            } catch IntakeError.noReadableRow(_, let errors) {
                failures += 1
                for e in errors { note("\(file): \(e)") }
                note("\(file): no readable row; nothing stored")
            } catch IntakeError.unreadable(let e) {
                failures += 1
                note("error: \(InputError(path: file, message: e.description))")
            } catch {
                failures += 1
                note("error: \(error)")
            }
        }
        if failures > 0 {
            note("\(failures) of \(files.count) input(s) failed")
            throw ExitCode.failure
        }
    }
}

struct Reresolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve every stored document again with the current gazetteer and lexicon.",
        discussion: "The documents are kept as received; what they became is rebuilt in one transaction."
    )

    @OptionGroup var read: ReadOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var geodata: GeoDataOptions

    func run() async throws {
        let intake = Intake(store: try storeOptions.open(busySeconds: 600), resolution: try geodata.resolutionContext(toleranceKilometres: read.toleranceKilometres))
        let reports = try intake.reresolve()
        for r in reports {
            for a in r.alerts { print(describe(a)) }
            if r.incidents > 0 { print("document \(r.documentID): \(r.incidents) incidents") }
        }
        note("re-resolved \(reports.count) documents")
    }
}
