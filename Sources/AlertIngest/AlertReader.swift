import Foundation
import ThreatModel

/// What reading one source document gave.
public enum ReadOutcome {
    /// Alerts (advisories, JSON and CAP documents).
    case alerts([Alert])
    /// Incidents from an event table, with the rows that could not be read.
    case events(EventTable)
}

/// The result of reading an event table: the good rows, and a line-numbered error per bad row.
public struct EventTable {
    public var incidents: [Incident]
    public var errors: [RowError]
    /// How many rows repeated an earlier event (ACLED lists an event once per actor).
    public var merged: Int
}

public struct RowError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// Reads any format ThreatMap knows, detecting it from the content unless told.
public struct AlertReader {
    public let context: ResolutionContext
    /// The largest alert document accepted (text, JSON, CAP): an alert is never this big.
    public var maximumAlertBytes = 10 << 20
    /// The largest event table accepted.
    public var maximumTableBytes = 1 << 30

    public init(context: ResolutionContext) { self.context = context }

    /// The format of a document, from its first bytes: `<` is CAP XML, `{` or `[` JSON, a first
    /// line with comma-separated ACLED column names CSV; anything else advisory text.
    public static func detect(_ bytes: [UInt8]) -> AlertFormat {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        guard i < bytes.count else { return .text }
        switch bytes[i] {
        case UInt8(ascii: "<"): return .cap
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        default: break
        }
        let firstLine = bytes[i...].prefix { $0 != 0x0A }.prefix(4096)
        let header = String(decoding: firstLine, as: UTF8.self).lowercased()
        let columns = header.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\t" }).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" \r"))
        }
        if columns.count >= 3, columns.contains(where: { ["event_id_cnty", "event_date", "latitude", "event_type", "data_id"].contains($0) }) {
            return .csv
        }
        return .text
    }

    /// A cancel places no threat: the places it names are context, and it has no levels.
    static func settle(_ alert: Alert) -> Alert {
        guard alert.messageType == .cancel else { return alert }
        var a = alert
        for i in a.places.indices { a.places[i].role = .context }
        a.assessments = []
        a.levelFloor = nil
        return a
    }

    /// Refuses an empty or oversized document.
    func check(_ bytes: [UInt8], _ format: AlertFormat) throws {
        guard !bytes.isEmpty, bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw AlertParseError("", "the file is empty")
        }
        let limit = format == .csv ? maximumTableBytes : maximumAlertBytes
        if bytes.count > limit {
            throw AlertParseError("", String(format: "the file is %.1f MB; a %@ document may be at most %d MB", Double(bytes.count) / 1_048_576, format.rawValue, limit >> 20))
        }
    }

    /// Reads an event table, handing incidents to `emit` in batches as they are read.
    public func readEvents(_ bytes: [UInt8], emit: @escaping ([Incident]) -> Void) throws -> EventTable {
        try check(bytes, .csv)
        return try EventCSVReader(context: context).read(bytes, emit: emit)
    }

    /// `standing`: the fingerprints (`StandingText`) of paragraphs that earlier documents hold,
    /// which an advisory text reads as its publisher's standing text.
    public func read(_ bytes: [UInt8], format forced: AlertFormat? = nil, standing: Set<String> = []) throws -> ReadOutcome {
        let format = forced ?? Self.detect(bytes)
        try check(bytes, format)
        switch format {
        case .text:
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw AlertParseError("", "the text is not valid UTF-8")
            }
            return .alerts([Self.settle(try AdvisoryTextReader(context: context).read(text, standing: standing))])
        case .json:
            return .alerts(try AlertJSONReader(context: context).read(bytes).map(Self.settle))
        case .cap:
            return .alerts([Self.settle(try CAPReader(context: context).read(bytes))])
        case .csv:
            return .events(try EventCSVReader(context: context).read(bytes))
        }
    }
}
