import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A few connections to one PostgreSQL database, each lent to one caller at a time. The store's
/// interface is synchronous, as SQLite's is: callers block on postgres-nio's futures, which run
/// on this pool's own event loop, never on the caller's (so a server's event loops and Swift's
/// cooperative threads are never asked to wait on themselves).
/// `@unchecked Sendable`: `idle`, `opened` and `closed` are read and written with `condition` locked.
final class PostgresPool: @unchecked Sendable {
    let settings: PostgresConnectionSettings
    let configuration: PostgresConnection.Configuration
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var opened = 0
    private var closed = false
    private let nextID = NSLock()
    private var connectionCount = 0

    init(settings: PostgresConnectionSettings, lockTimeoutMilliseconds: Int) throws {
        self.settings = settings
        configuration = try settings.configuration(lockTimeoutMilliseconds: lockTimeoutMilliseconds)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "threatmap.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// A store dropped without `close()` (a command that ends) still says goodbye to the server.
    deinit { close() }

    /// Runs `body` with a connection of its own; a connection that failed is closed, not kept.
    /// A connection kept idle may have been closed by the server meanwhile (a restart, an
    /// administrator): work that fails on one because it is gone is run again, once, on a new
    /// connection. Only a connection lost before any answer came is taken as gone, so nothing
    /// runs twice (and an ingest run again finds its document stored if it had landed).
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let (connection, reused) = try checkOut()
        do {
            return try run(body, on: connection)
        } catch let failure as SessionFailure {
            guard reused, failure.answered == 0, Self.isLostConnection(failure.error) else { throw failure.error }
            dropIdle()  // lost to the same restart, most likely
            do { return try run(body, on: try checkOut().0) } catch let again as SessionFailure { throw again.error }
        }
    }

    /// Why `run` failed, and how many queries were answered before.
    private struct SessionFailure: Error { var error: any Error; var answered: Int }

    /// `body` on `connection`, which goes back to the pool (or is closed, if it failed) after.
    private func run<T>(_ body: (PostgresSession) throws -> T, on connection: PostgresConnection) throws -> T {
        let session = PostgresSession(connection: connection, logger: logger)
        do {
            let result = try body(session)
            checkIn(connection, broken: session.broken)
            return result
        } catch {
            checkIn(connection, broken: true)
            throw SessionFailure(error: error, answered: session.answered)
        }
    }

    static func isLostConnection(_ error: any Error) -> Bool {
        guard let e = error as? PSQLError else { return false }
        return e.code == .serverClosedConnection || e.code == .clientClosedConnection || e.code == .uncleanShutdown
            || (e.serverInfo?[.sqlState]).map { $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } ?? false
    }

    /// Closes the idle connections.
    private func dropIdle() {
        condition.lock()
        let dropped = idle
        idle.removeAll()
        opened -= dropped.count
        condition.broadcast()
        condition.unlock()
        for c in dropped { c.close().whenComplete { _ in } }
    }

    private func checkOut() throws -> (PostgresConnection, reused: Bool) {
        condition.lock()
        while !closed && idle.isEmpty && opened >= settings.poolSize { condition.wait() }
        if closed { condition.unlock(); throw PostgresPoolClosed() }
        if let c = idle.popLast() {
            condition.unlock()
            if !c.isClosed { return (c, true) }
            c.close().whenComplete { _ in }
            condition.lock(); opened -= 1; condition.signal(); condition.unlock()
            return try checkOut()
        }
        opened += 1
        condition.unlock()
        do {
            return (try PostgresConnection.connect(on: group.next(), configuration: configuration, id: nextConnectionID(), logger: logger).wait(), false)
        } catch {
            condition.lock(); opened -= 1; condition.signal(); condition.unlock()
            throw error
        }
    }

    /// A new connection's id, for postgres-nio's logs.
    func nextConnectionID() -> Int {
        nextID.withLock {
            connectionCount += 1
            return connectionCount
        }
    }

    private func checkIn(_ connection: PostgresConnection, broken: Bool) {
        condition.lock()
        if broken || closed || connection.isClosed {
            opened -= 1
            condition.signal()
            condition.unlock()
            try? connection.close().wait()
            return
        }
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }

    /// Closes every connection and the event loop; callers waiting for one are told the pool is
    /// closed.
    func close() {
        condition.lock()
        guard !closed else { condition.unlock(); return }
        closed = true
        let connections = idle
        idle.removeAll()
        condition.broadcast()
        condition.unlock()
        for c in connections { try? c.close().wait() }
        try? group.syncShutdownGracefully()
    }
}

struct PostgresPoolClosed: Error {}

/// One lent connection: queries run to completion, their rows collected. A query that fails
/// inside a transaction leaves it aborted; `broken` tells the pool not to keep a connection whose
/// state is unknown.
final class PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    var broken = false

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Queries answered so far.
    var answered = 0

    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        let result = try connection.query(query, logger: logger).wait()
        answered += 1
        return result
    }

    /// Sends a query without waiting for its answer; `finish` waits for it. postgres-nio runs a
    /// connection's queries in the order they were sent.
    func send(_ query: PostgresQuery) -> EventLoopFuture<PostgresQueryResult> {
        connection.query(query, logger: logger)
    }

    func finish(_ sent: EventLoopFuture<PostgresQueryResult>) throws {
        _ = try sent.wait()
        answered += 1
    }

    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        try self.query(query).rows
    }

    /// Runs `body` in a transaction that commits if it returns and rolls back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            do { try query("ROLLBACK") } catch { broken = true }
            throw error
        }
    }
}

/// Follows a channel on a connection of its own (LISTEN), outside the pool, on a thread of its
/// own (so that a busy server's Swift concurrency threads never hold it up): each notification
/// decoded as a `StoreChange` and handed on from the event loop. A lost connection is reported and
/// opened again after a wait that doubles from 0.1 s up to 5 s; each connection reports
/// `listening` once its LISTEN is in place.
/// `@unchecked Sendable`: `stopped` and `current` are read and written with `lock` held.
final class PostgresChangeFollower: StoreChangeFollower, @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var current: PostgresConnection?
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(pool: PostgresPool, channel: String, handler: @escaping @Sendable (StoreChangeEvent) -> Void) {
        let thread = Thread { [self] in
            run(pool: pool, channel: channel, handler: handler)
            finished.signal()
        }
        thread.name = "threatmap-follow"
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func run(pool: PostgresPool, channel: String, handler: @escaping @Sendable (StoreChangeEvent) -> Void) {
        var reconnected = false
        var wait = 0.1
        while !isStopped {
            do {
                let connection = try PostgresConnection.connect(on: pool.group.next(), configuration: pool.configuration,
                                                                 id: pool.nextConnectionID(), logger: pool.logger).wait()
                let keep = lock.withLock { () -> Bool in
                    if !stopped { current = connection }
                    return !stopped
                }
                guard keep else { try? connection.close().wait(); break }
                connection.addListener(channel: channel) { _, notification in
                    if let change = try? JSONDecoder().decode(StoreChange.self, from: Data(notification.payload.utf8)) {
                        handler(.changed(change))
                    }
                }
                // The LISTEN goes out before this query, and a connection answers in order.
                _ = try connection.query("SELECT 1", logger: pool.logger).wait()
                handler(.listening(reconnected: reconnected))
                wait = 0.1
                try? connection.closeFuture.wait()
                lock.withLock { current = nil }
                if isStopped { break }
                throw PostgresStore.StoreFault(message: "the server ended the notifications")
            } catch {
                lock.withLock { current = nil }
                if isStopped { break }
                handler(.lost(PostgresStore.describe(error)))
            }
            reconnected = true
            _ = wake.wait(timeout: .now() + wait)
            wait = min(wait * 2, 5)
        }
    }

    /// Ends the follower: closes its connection and waits for its thread to finish.
    func stop() {
        let (first, connection) = lock.withLock { () -> (Bool, PostgresConnection?) in
            defer { stopped = true }
            return (!stopped, current)
        }
        guard first else { return }
        wake.signal()
        try? connection?.close().wait()
        finished.wait()
    }
}
