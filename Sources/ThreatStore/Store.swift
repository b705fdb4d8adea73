import Foundation
import ThreatModel

/// A source document as received: its bytes are kept whole, with their SHA-256.
public struct SourceDocument: Sendable {
    public let name: String
    public let format: AlertFormat
    public let bytes: [UInt8]
    /// The bytes' SHA-256, in hex: computed once, here.
    public let sha256: String
    /// Who sent it: the name of the writer's token for a write through the service; nil from
    /// the command line.
    public let sender: String?

    public init(name: String, format: AlertFormat, bytes: [UInt8], sender: String? = nil) {
        self.name = name
        self.format = format
        self.bytes = bytes
        self.sha256 = sha256Hex(bytes)
        self.sender = sender
    }
}

/// A document read back from the store.
public struct StoredDocument: Sendable {
    public var id: Int64
    public var name: String
    public var format: AlertFormat
    public var sha256: String
    public var bytes: [UInt8]
    public var receivedAt: String
    /// The name of the token it was written with, if it came through the service.
    public var sender: String?
}

/// What the store did with one alert.
public struct StoredAlert: Sendable {
    public enum Action: String, Sendable {
        case new, replaced
    }

    public var alert: Alert
    public var action: Action
    /// `active`, `superseded` (by a later update), `cancelled`, or `cancel` for a cancel message.
    public var state: AlertState
}

/// What one ingest did.
public struct IngestReport: Sendable {
    public var documentID: Int64
    /// True when the same bytes were already stored: nothing changed.
    public var unchanged: Bool
    public var alerts: [StoredAlert] = []
    public var incidents = 0
    /// Alerts that this document's updates superseded or its cancels ended.
    public var ended: [String] = []
}

/// A store that failed: where it is (a path, or a URL without its password) and what went wrong.
public struct StoreError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "store \(path): \(message)" }
}

/// A stored alert and its state.
public struct AlertRecord: Sendable {
    public var alert: Alert
    public var state: AlertState
    public var endedBy: String?
    public var documentID: Int64
}

/// What ThreatMap keeps: source documents as received, and what they became (alerts, their
/// region assessments, incidents). Two stores answer to it: `SQLiteStore`, one file and nothing
/// to start (the default), and `PostgresStore`, PostgreSQL with PostGIS shared by several servers.
/// Both give the same answers to the same documents, byte for byte once made into layers.
///
/// Every ingest is one transaction: it lands whole or not at all. The same bytes twice change
/// nothing; an alert id seen before is replaced; updates supersede and cancels end the alerts
/// they reference, whichever arrives first.
public protocol ThreatStore: AnyObject, Sendable {
    /// Where the store is, for messages: a file path, or a URL without its password.
    var location: String { get }

    /// Stores a document and what it became, taking incidents from a feed that another thread
    /// fills while this one writes them, in one transaction. An aborted feed rolls it back.
    /// An incident that comes again (its event merged with a later row) replaces the first.
    func ingest(_ document: SourceDocument, alerts: [Alert], incidents: Feed<Incident>, receivedAt: Date) throws -> IngestReport

    /// Whether a document with the same bytes is stored.
    func contains(_ document: SourceDocument) throws -> Bool

    /// How many stored text documents hold each of these paragraphs (those in none are left out).
    func paragraphCounts(_ fingerprints: [String]) throws -> [String: Int]

    /// Every stored document, oldest first; without their bytes (left empty) when only where
    /// things came from is wanted.
    func documents(withBytes: Bool) throws -> [StoredDocument]

    /// Replaces everything derived from the documents by what `resolve` now makes of each,
    /// in one transaction; documents are kept as they are. For a better gazetteer or lexicon.
    /// `resolve` is given, with each document, how many earlier text documents hold each of its
    /// paragraphs, as `paragraphCounts` answered when it came.
    func reresolve(_ resolve: (StoredDocument, [String: Int]) throws -> (alerts: [Alert], incidents: [Incident])) throws -> [IngestReport]

    /// Every stored alert, in id order.
    func alerts() throws -> [AlertRecord]

    func alert(_ id: String) throws -> AlertRecord?

    /// Counts of what the store holds, for reports and tests.
    func counts() throws -> (documents: Int, alerts: Int, incidents: Int, assessments: Int)

    /// Incidents with the name of the document each came from, by date then id; `from` and
    /// `through` (days, inclusive) bound the dates when given. Without `details`, actors,
    /// admin1, notes and remarks are left empty: a map layer shows none of them.
    func sourcedIncidents(from: Date?, through: Date?, details: Bool) throws -> [(incident: Incident, source: String)]

    /// The schema version the store is at and the newest this build knows (opening a store
    /// migrates it there, so the two differ only for a store a newer build wrote).
    func schemaVersion() throws -> (current: Int, latest: Int)

    /// Finishes and closes the store: for a server that stops. The store is unusable afterwards.
    func close() throws
}

extension ThreatStore {
    public func ingest(_ document: SourceDocument, alerts: [Alert], incidents: [Incident], receivedAt: Date = Date()) throws -> IngestReport {
        try ingest(document, alerts: alerts, incidents: Feed(all: incidents), receivedAt: receivedAt)
    }

    public func ingest(_ document: SourceDocument, alerts: [Alert], incidents: Feed<Incident>) throws -> IngestReport {
        try ingest(document, alerts: alerts, incidents: incidents, receivedAt: Date())
    }

    public func documents() throws -> [StoredDocument] { try documents(withBytes: true) }

    public func sourcedIncidents(from: Date? = nil, through: Date? = nil) throws -> [(incident: Incident, source: String)] {
        try sourcedIncidents(from: from, through: through, details: true)
    }

    /// What `resolve` makes of every stored document, oldest first, each given the counts of its
    /// paragraphs over the text documents before it: the first half of a `reresolve`.
    func resolveEach(_ resolve: (StoredDocument, [String: Int]) throws -> (alerts: [Alert], incidents: [Incident])) throws
        -> [(StoredDocument, [Alert], [Incident])] {
        var results: [(StoredDocument, [Alert], [Incident])] = []
        var counts: [String: Int] = [:]
        for d in try documents(withBytes: true) {
            let fingerprints = d.format == .text ? StandingText.fingerprints(of: d.bytes) : []
            let r = try resolve(d, Dictionary(uniqueKeysWithValues: fingerprints.compactMap { f in counts[f].map { (f, $0) } }))
            for f in fingerprints { counts[f, default: 0] += 1 }
            results.append((d, r.alerts, r.incidents))
        }
        return results
    }

    /// Every stored incident, by date then id.
    public func incidents() throws -> [Incident] {
        try sourcedIncidents().map(\.incident)
    }
}

/// Choosing a store from `--store` or `THREATMAP_STORE`: a `postgresql://` (or `postgres://`)
/// URL is PostgreSQL, anything else a SQLite file's path.
public enum Stores {
    /// The environment variable that names the store when `--store` does not.
    public static let environmentVariable = "THREATMAP_STORE"
    public static let defaultPath = "threatmap.sqlite"
    /// How long a write waits for another's to finish, by default, before it fails.
    public static let defaultBusySeconds: TimeInterval = 60

    public static func isPostgres(_ location: String) -> Bool {
        let l = location.lowercased()
        return l.hasPrefix("postgresql://") || l.hasPrefix("postgres://")
    }

    /// Opens (creating and migrating if need be) the store at `location`. `busySeconds`: how
    /// long a write waits for another process's (a batch `ingest` waits long; the service less).
    public static func open(_ location: String, busySeconds: TimeInterval = defaultBusySeconds) throws -> any ThreatStore {
        if isPostgres(location) {
            return try PostgresStore(url: location, busySeconds: busySeconds)
        }
        return try SQLiteStore(path: location, busySeconds: busySeconds)
    }
}

extension String {
    /// The text as both stores keep it: a NUL character, which PostgreSQL's text cannot hold (and
    /// SQLite's C strings end at), becomes U+FFFD, the replacement character. A reader may pass one
    /// on from a damaged file; both stores then give back the same.
    var storable: String {
        utf8.contains(0) ? replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : self
    }
}

extension Optional<String> {
    var storable: String? { map(\.storable) }
}
