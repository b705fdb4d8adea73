import Foundation
import Hummingbird
import Logging
import NIOCore

/// Runs the HTTP server until SIGTERM or SIGINT: it then stops accepting connections, lets the
/// requests in flight finish, and returns, so that the caller can close the store.
/// `onRunning` gets the port actually bound (useful with port 0).
public func runServer(_ routes: ThreatRoutes, host: String, port: Int, logger: Logger,
                      onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    let app = Application(
        router: routes.router(),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ThreatMap"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
        logger: logger
    )
    try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
}
