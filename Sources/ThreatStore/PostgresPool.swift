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
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let connection = try checkOut()
        let session = PostgresSession(connection: connection, logger: logger)
        do {
            let result = try body(session)
            checkIn(connection, broken: session.broken)
            return result
        } catch {
            checkIn(connection, broken: true)
            throw error
        }
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while !closed && idle.isEmpty && opened >= settings.poolSize { condition.wait() }
        if closed { condition.unlock(); throw PostgresPoolClosed() }
        if let c = idle.popLast() {
            condition.unlock()
            if !c.isClosed { return c }
            condition.lock(); opened -= 1; condition.unlock()
            return try checkOut()
        }
        opened += 1
        condition.unlock()
        do {
            nextID.lock(); connectionCount += 1; let id = connectionCount; nextID.unlock()
            return try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            condition.lock(); opened -= 1; condition.signal(); condition.unlock()
            throw error
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

    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        try connection.query(query, logger: logger).wait()
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
