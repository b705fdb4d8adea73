import AlertIngest
import Crypto
import Foundation
import Geo
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ThreatLayers
import ThreatMapCore
import ThreatModel
import ThreatStore
import VectorTiles

/// GET /alerts, /alerts/{id}, and the token-protected writes POST /alerts and DELETE /alerts/{id}.
struct AlertController: Sendable {
    let routes: ThreatRoutes
    var service: MapService { routes.service }

    func add<Sink: RouteSink>(to router: inout Sink) {
        router.get("/alerts") { _, _ in try self.alertList() }
        router.get("/alerts/:id") { _, context in try self.alert(context) }
        router.post("/alerts") { request, context in try await self.postAlert(request, context) }
        router.delete("/alerts/:id") { request, context in try await self.deleteAlert(request, context) }
    }

    func alertJSON(_ record: AlertRecord, documents: [Int64: StoredDocument]) -> JSONValue {
        guard case .object(var o) = AlertOutput.json(record.alert) else { return .null }
        o["state"] = .string(record.state.rawValue)
        o["ended_by"] = record.endedBy.map { .string($0) } ?? .null
        if let d = documents[record.documentID] {
            o["provenance"] = .object([
                "document_id": .int(Int(d.id)), "name": .string(d.name), "format": .string(d.format.rawValue),
                "sha256": .string(d.sha256), "received_at": .string(d.receivedAt), "sender": d.sender.map { .string($0) } ?? .null,
            ])
        }
        return .object(o)
    }

    func documentsByID() throws -> [Int64: StoredDocument] {
        Dictionary(try service.store.documents(withBytes: false).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func alertList() throws -> Response {
        let records = try service.store.alerts()
        let docs = try documentsByID()
        return jsonResponse(["alerts": .array(records.map { alertJSON($0, documents: docs) })])
    }

    func alert(_ context: some RequestContext) throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let record = try service.store.alert(id) else { throw APIError(.notFound, "no alert \"\(id)\"") }
        return jsonResponse(alertJSON(record, documents: try documentsByID()))
    }


    /// The name of the writer whose bearer token the request carries (`WriterTokens.writer`,
    /// compared in constant time), or the refusal: 401 without a token, 403 with a wrong one or
    /// when the server has none.
    func authorize(_ request: Request) throws -> String {
        guard !service.settings.writers.isEmpty else {
            throw APIError(.forbidden, "writes are disabled: the server has no token (set THREATMAP_TOKEN or THREATMAP_TOKEN_FILE)")
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "a write needs the header Authorization: Bearer <token>")
        }
        guard let name = service.settings.writers.writer(of: header.dropFirst(7).trimmingCharacters(in: .whitespaces)) else {
            throw APIError(.forbidden, "the bearer token is not one of the server's")
        }
        return name
    }

    /// The format a Content-Type names, or nil to detect it from the bytes.
    static func format(contentType: String?) -> AlertFormat? {
        guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        switch type {
        case "text/plain": return .text
        case "application/json", "application/alert+json": return .json
        case "application/cap+xml", "application/xml", "text/xml": return .cap
        case "text/csv": return .csv
        default: return nil
        }
    }

    func postAlert(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let writer = try authorize(request)
        let limit = service.settings.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "the body is \(length) bytes; the limit is \(limit)", closing: true)
        }
        let buffer = try await Self.collect(request.body, upTo: limit, seconds: service.settings.bodySeconds)
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else { throw APIError(.badRequest, "the body is empty: send an advisory, a JSON or CAP alert, or an event CSV") }
        let format = Self.format(contentType: request.headers[.contentType])
        let name = request.headers[.filename] ?? "POST /alerts"
        let outcome: WriteOutcome
        do {
            outcome = try await offload { try self.service.ingest(bytes, name: name, format: format, sender: writer) }
        } catch let e as IntakeError {
            context.logger.info("write refused", metadata: ["writer": .string(writer), "document": .string(name), "error": .string("\(e)")])
            throw APIError(.badRequest, "\(format.map { "\($0.rawValue): " } ?? "")\(e)")
        } catch let e as TimeLimitExceeded {
            context.logger.info("write refused", metadata: ["writer": .string(writer), "document": .string(name), "error": .string("\(e)")])
            throw APIError(.unprocessableContent, e.description)
        }
        context.logger.info("write", metadata: [
            "writer": .string(writer), "document": .string(name), "document_id": .stringConvertible(outcome.report.documentID),
            "alerts": .string(outcome.report.alerts.map(\.alert.id).joined(separator: ",")), "unchanged": .stringConvertible(outcome.report.unchanged),
        ])
        var body = writeJSON(outcome)
        body["unchanged"] = .bool(outcome.report.unchanged)
        var response = jsonResponse(.object(body), status: outcome.report.unchanged ? .ok : .created)
        if let first = outcome.report.alerts.first {
            response.headers[.location] = "/alerts/\(first.alert.id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? first.alert.id)"
        }
        return response
    }

    /// The whole body, refused while it streams once it passes `limit` bytes (413) or takes
    /// longer than `seconds` to arrive (408); either way the connection is closed after the
    /// answer, since the rest of the body is not read.
    static func collect(_ body: RequestBody, upTo limit: Int, seconds: Double) async throws -> ByteBuffer {
        let outcome = await withTaskGroup(of: Result<ByteBuffer, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await body.collect(upTo: limit)) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success(let buffer)?: return buffer
        case .failure?: throw APIError(.contentTooLarge, "the body is over the limit of \(limit) bytes", closing: true)
        case nil: throw APIError(.requestTimeout, "the body took longer than \(Deadline.figure(seconds)) s to arrive", closing: true)
        }
    }

    func deleteAlert(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let writer = try authorize(request)
        let id = context.parameters.get("id") ?? ""
        do {
            let outcome = try await offload { try self.service.cancel(id, sender: writer) }
            context.logger.info("write", metadata: ["writer": .string(writer), "cancelled": .string(id), "document_id": .stringConvertible(outcome.report.documentID)])
            return jsonResponse(.object(writeJSON(outcome)))
        } catch let e as IntakeError {
            switch e {
            case .unknownAlert: throw APIError(.notFound, e.description)
            case .notActive: throw APIError(.conflict, e.description)
            default: throw APIError(.badRequest, e.description)
            }
        }
    }

    /// What a write did, as the API answers it.
    func writeJSON(_ o: WriteOutcome) -> JSONObject {
        [
            "document": .object([
                "id": .int(Int(o.report.documentID)), "name": .string(o.document.name), "format": .string(o.document.format.rawValue),
                "sha256": .string(o.document.sha256),
            ]),
            "alerts": .array(o.report.alerts.map { stored in
                guard case .object(var a) = AlertOutput.json(stored.alert) else { return .null }
                a["state"] = .string(stored.state.rawValue)
                a["action"] = .string(stored.action.rawValue)
                return .object(a)
            }),
            "incidents": .int(o.report.incidents),
            "bad_rows": .array(o.intake.rowErrors.map { .object(["line": .int($0.line), "message": .string($0.message)]) }),
            "outside_mali": .array(o.intake.outside.map { .object(["line": .int($0.line), "message": .string($0.message)]) }),
            "ended": .array(o.report.ended.map { .string($0) }),
            "tiles_invalidated": .int(o.tilesInvalidated),
        ]
    }
}
