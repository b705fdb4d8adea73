import Foundation
import Hummingbird
import Logging
import NIOCore

/// The application `threatmap serve` runs and the tests drive: the routes over a `MapService`,
/// listening on `host`:`port` (0 picks a free port). `onRunning` gets the port actually bound.
public func buildApplication(_ routes: ThreatRoutes, host: String, port: Int, logger: Logger,
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    Application(
        responder: HeadResponder(inner: routes.router().buildResponder()),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ThreatMap"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
        logger: logger
    )
}

/// Runs the application until SIGTERM or SIGINT: it then stops accepting connections, lets the
/// requests in flight finish, and returns, so that the caller can close the store.
public func runServer(_ routes: ThreatRoutes, host: String, port: Int, logger: Logger,
                      onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    try await buildApplication(routes, host: host, port: port, logger: logger, onRunning: onRunning)
        .runService(gracefulShutdownSignals: [.sigterm, .sigint])
}

/// HEAD on every GET route, as GDAL's /vsicurl/, QGIS and caches send before they GET: routed as
/// the GET (before the router picks a route by method) and answered with its status and headers,
/// Content-Length included, without the body.
struct HeadResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        let response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        return Response(status: response.status, headers: response.headers, body: ResponseBody())
    }
}
