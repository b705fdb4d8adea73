import Foundation
import PostgresNIO

/// A database of its own, made from a template database that has PostGIS, on a cluster reached
/// through an administrator's URL: for tests and benchmarks, each with a store nobody else
/// writes (`Scripts/postgres.sh start` makes such a cluster and its `threatmap_template`).
public struct PostgresScratchDatabase: Sendable {
    /// The new database's URL: the administrator's, with the database's name.
    public let url: String
    let adminURL: String
    let name: String

    /// Creates `threatmap_<random>` from `template`.
    public init(adminURL: String, template: String = "threatmap_template") throws {
        guard var c = URLComponents(string: adminURL) else {
            throw StoreError(path: PostgresStore.redacted(adminURL), message: "not a PostgreSQL URL")
        }
        name = "threatmap_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        c.path = "/" + name
        url = c.string ?? adminURL
        self.adminURL = adminURL
        try Self.run(adminURL, "CREATE DATABASE \(name) TEMPLATE \(template)")
    }

    /// Drops the database, closing anything still connected to it.
    public func drop() throws {
        try Self.run(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one statement as the administrator; `sql` is ours, never a user's.
    static func run(_ adminURL: String, _ sql: String) throws {
        let settings: PostgresConnectionSettings
        do { settings = try PostgresConnectionSettings(url: adminURL) } catch let e as PostgresConnectionSettings.Invalid {
            throw StoreError(path: PostgresStore.redacted(adminURL), message: e.message)
        }
        let pool = try PostgresPool(settings: settings, lockTimeoutMilliseconds: 10_000)
        defer { pool.close() }
        do {
            try pool.withSession { s in _ = try s.query(PostgresQuery(unsafeSQL: sql)) }
        } catch {
            throw StoreError(path: settings.location, message: "\(sql): \(PostgresStore.describe(error))")
        }
    }
}
