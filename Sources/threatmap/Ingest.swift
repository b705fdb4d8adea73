import AlertIngest
import ArgumentParser
import Foundation
import ThreatModel
import ThreatStore

/// `--store PATH`, else THREATMAP_STORE, else threatmap.sqlite in the working directory.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The SQLite store (default: $THREATMAP_STORE, else threatmap.sqlite).", valueName: "path"))
    var store: String?

    var path: String {
        store ?? ProcessInfo.processInfo.environment[ThreatStore.environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? ThreatStore.defaultPath
    }

    func open() throws -> ThreatStore { try ThreatStore(path: path) }
}

/// One line about a stored alert: id, regions, zones, level, state.
func describe(_ stored: StoredAlert) -> String {
    let a = stored.alert
    var line = "\(a.id)  regions=\(a.regionIDs.joined(separator: ",").nonEmpty)  zones=\(a.zoneIDs.joined(separator: ",").nonEmpty)  level=\(a.level.rawValue) (\(a.level.label))"
    if stored.state != "active" { line += "  \(stored.state)" }
    if stored.action == .replaced { line += "  (replaced the stored version)" }
    return line
}

extension String {
    var nonEmpty: String { isEmpty ? "-" : self }
}

/// Reads one document into alerts and incidents, with its row errors.
func readDocument(_ bytes: [UInt8], format: AlertFormat?, context: ResolutionContext) throws -> (format: AlertFormat, alerts: [Alert], incidents: [Incident], errors: [RowError], merged: Int) {
    let detected = format ?? AlertReader.detect(bytes)
    switch try AlertReader(context: context).read(bytes, format: detected) {
    case .alerts(let alerts): return (detected, alerts, [], [], 0)
    case .events(let t): return (detected, [], t.incidents, t.errors, t.merged)
    }
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
        let context = try geodata.resolutionContext(toleranceKilometres: read.toleranceKilometres)
        let store = try storeOptions.open()
        step("loaded GeoData and opened the store")
        var failures = 0
        for file in files {
            do {
                let bytes = try readInput(file)
                step("read \(file) (\(bytes.count) bytes)")
                let name = URL(fileURLWithPath: file).lastPathComponent
                if (read.format ?? AlertReader.detect(bytes)) == .csv {
                    let document = SourceDocument(name: name, format: .csv, bytes: bytes)
                    if try store.contains(document) {
                        print("\(file): already stored; nothing changed")
                        continue
                    }
                    let (table, report) = try ingestTable(document, file: file, context: context, store: store)
                    step("parsed, resolved and stored \(file): \(table.incidents.count) incidents")
                    for e in table.errors { note("\(file): \(e)") }
                    if !table.errors.isEmpty { failures += 1 }
                    if let report {
                        print("\(file): \(report.incidents) incidents\(table.merged > 0 ? " (\(table.merged) repeated rows merged)" : "")\(table.errors.isEmpty ? "" : ", \(table.errors.count) bad rows")")
                    } else {
                        note("\(file): no readable row; nothing stored")
                    }
                    continue
                }
                let doc: (format: AlertFormat, alerts: [Alert], incidents: [Incident], errors: [RowError], merged: Int)
                do {
                    doc = try readDocument(bytes, format: read.format, context: context)
                } catch let e as AlertParseError {
                    throw InputError(path: file, message: e.description)
                }
                step("parsed and resolved \(file): \(doc.alerts.count) alerts, \(doc.incidents.count) incidents")
                for e in doc.errors { note("\(file): \(e)") }
                if !doc.errors.isEmpty { failures += 1 }
                if doc.format == .csv && doc.incidents.isEmpty && !doc.errors.isEmpty {
                    note("\(file): no readable row; nothing stored")
                    continue
                }
                let report = try store.ingest(SourceDocument(name: name, format: doc.format, bytes: bytes), alerts: doc.alerts, incidents: doc.incidents)
                step("stored \(file) in one transaction")
                if report.unchanged {
                    print("\(file): already stored (document \(report.documentID)); nothing changed")
                    continue
                }
                for a in report.alerts { print(describe(a)) }
                if doc.format == .csv {
                    print("\(file): \(report.incidents) incidents\(doc.merged > 0 ? " (\(doc.merged) repeated rows merged)" : "")\(doc.errors.isEmpty ? "" : ", \(doc.errors.count) bad rows")")
                }
                for id in report.ended { print("  ended \(id)") }
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

/// The store's result, handed from its thread.
final class ReportBox: @unchecked Sendable {
    var result: Result<IngestReport, any Error>?
}

/// Reads an event table and stores it at once: the store writes on a thread of its own, in one
/// transaction, while this one reads and resolves rows, so that the two overlap. A table with no
/// readable row rolls back and returns no report.
func ingestTable(_ document: SourceDocument, file: String, context: ResolutionContext, store: ThreatStore) throws -> (EventTable, IngestReport?) {
    let feed = Feed<Incident>()
    let box = ReportBox()
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        box.result = Result { try store.ingest(document, alerts: [], incidents: feed) }
        done.signal()
    }
    let table: EventTable
    do {
        table = try AlertReader(context: context).readEvents(document.bytes, emit: feed.put)
    } catch {
        feed.abort("\(error)")
        done.wait()
        if let e = error as? AlertParseError { throw InputError(path: file, message: e.description) }
        throw error
    }
    let empty = table.incidents.isEmpty && !table.errors.isEmpty
    if empty { feed.abort("no readable row") } else { feed.finish() }
    done.wait()
    if empty { return (table, nil) }
    return (table, try box.result!.get())
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
        let context = try geodata.resolutionContext(toleranceKilometres: read.toleranceKilometres)
        let store = try storeOptions.open()
        let reports = try store.reresolve { d in
            let doc = try readDocument(d.bytes, format: d.format, context: context)
            return (doc.alerts, doc.incidents)
        }
        for r in reports {
            for a in r.alerts { print(describe(a)) }
            if r.incidents > 0 { print("document \(r.documentID): \(r.incidents) incidents") }
        }
        note("re-resolved \(reports.count) documents")
    }
}
