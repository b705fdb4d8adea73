import AlertIngest
import Foundation
import Geo
import ThreatModel
import ThreatStore

/// What taking in one document did.
public struct IntakeOutcome: Sendable {
    public var document: SourceDocument
    /// The store's report; `unchanged` when the same bytes were stored before.
    public var report: IngestReport
    /// An event table's bad rows (reported; the good rows are stored) and repeated rows merged.
    public var rowErrors: [RowError] = []
    /// An event table's rows placed outside Mali (stored, in no region), with their line and distance.
    public var outside: [RowError] = []
    public var merged = 0
    public var isTable: Bool { document.format == .csv }
}

/// Why a document was refused, with nothing stored.
public enum IntakeError: Error, CustomStringConvertible {
    /// The document cannot be read: the reader's error says what and where.
    case unreadable(AlertParseError)
    /// An event table none of whose rows can be read; its first bad row says why.
    case noReadableRow(first: RowError?, errors: [RowError])
    /// The alert to cancel is not stored.
    case unknownAlert(String)
    /// The alert to cancel is stored but no longer active.
    case notActive(String, state: AlertState)

    public var description: String {
        switch self {
        case .unreadable(let e): return e.description
        case .noReadableRow(let first, _): return "no readable row" + (first.map { " (\($0))" } ?? "") + "; nothing stored"
        case .unknownAlert(let id): return "no alert \"\(id)\""
        case .notActive(let id, let state): return "alert \"\(id)\" is \(state.rawValue), not active"
        }
    }
}

/// Takes documents into a store: reads (format detected unless given), resolves, stores in one
/// transaction with the document's bytes; the same for `threatmap ingest` and `POST /alerts`.
/// The rules, once: the same bytes twice change nothing (checked before reading); an event table
/// streams into the store while it is read, its bad rows are reported and its good rows stored,
/// and one with no readable row stores nothing. It owns a resolver (GEOS contexts): one task at
/// a time.
public final class Intake {
    public let store: any ThreatStore
    public let resolution: ResolutionContext

    public init(store: any ThreatStore, resolution: ResolutionContext) {
        self.store = store
        self.resolution = resolution
    }

    /// Reads, resolves and stores one document named `name`.
    /// `sender` is who sent it (a writer's token name), kept with the document. Reading past
    /// `deadline` throws `TimeLimitExceeded`, with nothing stored.
    public func take(_ bytes: [UInt8], name: String, format: AlertFormat? = nil, sender: String? = nil,
                     deadline: Deadline = .none) throws -> IntakeOutcome {
        resolution.deadline = deadline
        defer { resolution.deadline = .none }
        let detected = format ?? AlertReader.detect(bytes)
        let document = SourceDocument(name: name, format: detected, bytes: bytes, sender: sender)
        if try store.contains(document) {
            // The store answers a stored document's bytes with its id, reading nothing.
            return IntakeOutcome(document: document, report: try store.ingest(document, alerts: [], incidents: []))
        }
        if detected == .csv { return try takeTable(document) }
        let alerts: [Alert]
        do {
            switch try AlertReader(context: resolution).read(bytes, format: detected, standing: try standing(bytes, detected)) {
            case .alerts(let a): alerts = a
            case .events: return try takeTable(document)
            }
        } catch let e as AlertParseError {
            throw IntakeError.unreadable(e)
        }
        return IntakeOutcome(document: document, report: try store.ingest(document, alerts: alerts, incidents: []))
    }

    /// An event table, stored as it is read: the store writes on a thread of its own, in one
    /// transaction, while this one reads and resolves rows, so that the two overlap on two cores.
    func takeTable(_ document: SourceDocument) throws -> IntakeOutcome {
        let feed = Feed<Incident>()
        let store = self.store
        let writer = Background { try store.ingest(document, alerts: [], incidents: feed) }
        let table: EventTable
        do {
            table = try AlertReader(context: resolution).readEvents(document.bytes, emit: feed.put)
        } catch {
            feed.abort("\(error)")
            _ = try? writer.value()
            if let e = error as? AlertParseError { throw IntakeError.unreadable(e) }
            throw error
        }
        guard !table.incidents.isEmpty else {
            feed.abort("no readable row")
            _ = try? writer.value()
            throw IntakeError.noReadableRow(first: table.errors.first, errors: table.errors)
        }
        feed.finish()
        let outside = table.incidents.filter { $0.regionID == nil }.map { i in
            RowError(line: i.line, message: "event \(i.id): " + (i.remarks.first { $0.hasPrefix("outside Mali") } ?? "outside Mali"))
        }
        return IntakeOutcome(document: document, report: try writer.value(), rowErrors: table.errors, outside: outside, merged: table.merged)
    }

    /// Ends an active alert, as a cancel message would: the cancel is stored as a document of its
    /// own (our JSON alert format), so that the store keeps where every change came from.
    public func cancel(_ id: String, now: Date = Date(), sender: String? = nil) throws -> IntakeOutcome {
        guard let record = try store.alert(id) else { throw IntakeError.unknownAlert(id) }
        guard record.state == .active else { throw IntakeError.notActive(id, state: record.state) }
        let stamp = UTCDate.format(now)
        let message: JSONValue = .object([
            "id": .string("api-cancel-\(id)-\(stamp)"),
            "title": .string("Alert \(id) withdrawn through the ThreatMap API"),
            "published": .string(stamp),
            "cancels": .string(id),
        ])
        var w = JSONWriter()
        w.value(message)
        return try take(w.bytes, name: "DELETE /alerts/\(id)", format: .json, sender: sender)
    }

    /// The paragraphs of an advisory text that at least the lexicon's
    /// `standing_text_minimum_documents` stored documents already hold.
    func standing(_ bytes: [UInt8], _ format: AlertFormat) throws -> Set<String> {
        guard format == .text else { return [] }
        let minimum = resolution.lexicon.standingTextMinimumDocuments
        return Set(try store.paragraphCounts(StandingText.fingerprints(of: bytes)).filter { $0.value >= minimum }.keys)
    }

    /// Rebuilds everything derived from the stored documents with the current gazetteer and
    /// lexicon, in one transaction; the documents are kept as received.
    public func reresolve() throws -> [IngestReport] {
        let reader = AlertReader(context: resolution)
        let minimum = resolution.lexicon.standingTextMinimumDocuments
        return try store.reresolve { d, counts in
            switch try reader.read(d.bytes, format: d.format, standing: Set(counts.filter { $0.value >= minimum }.keys)) {
            case .alerts(let alerts): return (alerts, [])
            case .events(let table): return ([], table.incidents)
            }
        }
    }
}
