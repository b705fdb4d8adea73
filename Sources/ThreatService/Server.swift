import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// The application `threatmap serve` runs and the tests drive: the routes over a `MapService`,
/// listening on `host`:`port` (0 picks a free port). `onRunning` gets the port actually bound.
/// Connections: at most `maxConnections` open (more wait in the listen queue), each closed after
/// `idleSeconds` with no request in progress, which also bounds how long a request's head may
/// take to arrive; a response that says `Connection: close` closes its connection once sent.
public func buildApplication(_ routes: ThreatRoutes, host: String, port: Int, logger: Logger,
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    let settings = routes.service.settings
    let configuration = HTTP1Channel.Configuration(additionalChannelHandlers: [CloseAfterResponse()],
                                                   idleTimeout: .milliseconds(Int64(settings.idleSeconds * 1000)))
    let serverName = "ThreatMap"
    return Application(
        responder: routes.router().buildResponder(),
        server: HTTPServerBuilder { responder in
            FastTileChannel(http: HTTP1Channel(responder: responder, configuration: configuration)) { cache in
                FastTileHandler(routes: routes, logger: logger, serverName: serverName, cache: cache)
            }
        },
        configuration: ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: serverName,
            availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections, logger: logger)),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
        logger: logger
    )
}

/// Closes a connection once a response that says `Connection: close` has been written: first
/// its sending side, so that the client reads the whole answer before it sees the end, then,
/// after `linger`, the whole connection, so that a client still sending a body it was told
/// not to send cannot hold the connection open.
final class CloseAfterResponse: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let linger: TimeAmount
    private var closing = false

    init(linger: TimeAmount = .seconds(2)) { self.linger = linger }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closing = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closing else { return context.write(data, promise: promise) }
            closing = false
            context.writeAndFlush(data, promise: promise)
            let loop = context.eventLoop.assumeIsolated()
            let channel = context.channel
            context.close(mode: .output).whenComplete { _ in
                loop.scheduleTask(in: self.linger) { channel.close(promise: nil) }
            }
        }
    }
}

/// Runs the application until SIGTERM or SIGINT: it then stops accepting connections, lets the
/// requests in flight finish, and returns, so that the caller can close the store.
public func runServer(_ routes: ThreatRoutes, host: String, port: Int, logger: Logger,
                      onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    try await buildApplication(routes, host: host, port: port, logger: logger, onRunning: onRunning)
        .runService(gracefulShutdownSignals: [.sigterm, .sigint])
}
