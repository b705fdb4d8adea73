import Foundation
import PostgresNIO

/// What a `postgresql://` URL asks for, read as libpq reads it where the two overlap:
/// `postgresql://[USER[:PASSWORD]@][HOST][:PORT][/DB][?PARAMS]`. PARAMS: `sslmode` (disable,
/// allow, prefer, require, verify-ca, verify-full; default prefer), `sslrootcert` (a PEM file of
/// the authorities verify-ca and verify-full trust, instead of the system's), `host` (a folder holding
/// PostgreSQL's socket, when the URL names no host), and ThreatMap's own `pool_size`
/// (connections each process keeps, default 4) and `statement_timeout` (milliseconds, default
/// 60000). The password comes from the URL, else `PGPASSWORD`; it is never part of `location`.
struct PostgresConnectionSettings: Sendable {
    enum TLSMode: String, Sendable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var host: String?
    var socketFolder: String?
    var port = 5432
    var user: String
    var password: String?
    var database: String
    var tls: TLSMode = .prefer
    /// A PEM file of the authorities to trust for verify-ca and verify-full, instead of the system's.
    var rootCertificates: String?
    var poolSize = 4
    var statementTimeoutMilliseconds = 60_000

    /// The URL as given, without its password: for messages and logs.
    var location: String {
        guard let host else { return "postgresql://\(user)@:\(port)/\(database)?host=\(socketFolder ?? "/var/run/postgresql")" }
        return "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    struct Invalid: Error { var message: String }

    init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "postgresql" || scheme == "postgres" else {
            throw Invalid(message: "not a PostgreSQL URL (postgresql://USER@HOST:PORT/DB)")
        }
        if let h = c.host, !h.isEmpty {
            host = h.hasPrefix("[") && h.hasSuffix("]") ? String(h.dropFirst().dropLast()) : h
        }
        if let p = c.port {
            guard (1...65535).contains(p) else { throw Invalid(message: "port \(p) is not between 1 and 65535") }
            port = p
        }
        user = c.user.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["PGUSER"] ?? NSUserName()
        password = c.password.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGDATABASE"] ?? user
        if database.contains("/") { throw Invalid(message: "the database name \"\(database)\" holds a /") }
        for item in c.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let m = TLSMode(rawValue: value) else {
                    throw Invalid(message: "sslmode=\(value) is none of disable, allow, prefer, require, verify-ca, verify-full")
                }
                tls = m
            case "sslrootcert":
                guard FileManager.default.isReadableFile(atPath: value) else { throw Invalid(message: "sslrootcert=\(value): no readable file there") }
                rootCertificates = value
            case "host":
                if value.hasPrefix("/") { socketFolder = value } else if !value.isEmpty { host = value }
            case "port":
                guard let p = Int(value), (1...65535).contains(p) else { throw Invalid(message: "port=\(value) is not a port number") }
                port = p
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "pool_size":
                guard let n = Int(value), (1...256).contains(n) else { throw Invalid(message: "pool_size=\(value) is not a number of connections from 1 to 256") }
                poolSize = n
            case "statement_timeout":
                guard let n = Int(value), n >= 0 else { throw Invalid(message: "statement_timeout=\(value) is not a number of milliseconds (0: none)") }
                statementTimeoutMilliseconds = n
            case "application_name", "connect_timeout":
                continue
            default:
                throw Invalid(message: "unknown parameter \(item.name) (known: sslmode, sslrootcert, host, port, user, password, dbname, pool_size, statement_timeout)")
            }
        }
        if host == nil && socketFolder == nil {
            socketFolder = environment["PGHOST"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/var/run/postgresql"
            if let h = environment["PGHOST"], !h.hasPrefix("/"), !h.isEmpty { host = h; socketFolder = nil }
        }
    }

    /// postgres-nio's configuration for one connection; `lockTimeoutMilliseconds` bounds how long
    /// a write waits for another's.
    func configuration(lockTimeoutMilliseconds: Int) throws -> PostgresConnection.Configuration {
        var config: PostgresConnection.Configuration
        if let host {
            let tls: PostgresConnection.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .allow, .prefer, .require, .verifyCA:
                // As libpq: require and the weaker modes encrypt without checking who answers;
                // verify-ca checks the certificate's chain but not the host name in it.
                var t = TLSConfiguration.makeClientConfiguration()
                t.certificateVerification = self.tls == .verifyCA ? .noHostnameVerification : .none
                if let rootCertificates { t.trustRoots = .file(rootCertificates) }
                let context = try NIOSSLContext(configuration: t)
                tls = self.tls == .require || self.tls == .verifyCA ? .require(context) : .prefer(context)
            case .verifyFull:
                var t = TLSConfiguration.makeClientConfiguration()
                if let rootCertificates { t.trustRoots = .file(rootCertificates) }
                tls = .require(try NIOSSLContext(configuration: t))
            }
            config = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        } else {
            let folder = socketFolder ?? "/var/run/postgresql"
            config = .init(unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        config.options.connectTimeout = .seconds(10)
        config.options.additionalStartupParameters = [
            ("application_name", "threatmap"),
            ("statement_timeout", String(statementTimeoutMilliseconds)),
            ("lock_timeout", String(lockTimeoutMilliseconds)),
            ("client_encoding", "UTF8"),
        ]
        return config
    }
}
