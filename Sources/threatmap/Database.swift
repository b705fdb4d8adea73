import ArgumentParser
import Foundation
import ThreatStore

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Operate on the store: create or migrate its schema.",
        subcommands: [DatabaseMigrate.self]
    )
}

struct DatabaseMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create the store's tables, or bring them to this threatmap's schema version; prints the version.",
        discussion: """
            Every command migrates the store it opens, so this is only needed to prepare a store \
            ahead of time: before starting several servers on one PostgreSQL database, say, or to \
            check that a store is one this threatmap can use. On PostgreSQL, migrations run under an \
            advisory lock (two processes starting together migrate once) and add PostGIS to the \
            database if the role may (else: run CREATE EXTENSION postgis; as a superuser). A store \
            written by a newer threatmap is refused, and left as it is. Exits non-zero on failure.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try storeOptions.open()
        defer { try? store.close() }
        let (current, latest) = try store.schemaVersion()
        let counts = try store.counts()
        print("store \(store.location): schema version \(current) of \(latest); \(counts.documents) documents, \(counts.alerts) alerts, \(counts.incidents) incidents")
    }
}
