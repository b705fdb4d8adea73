/// Where a stored alert stands (the store's `alert.state` column holds the raw values).
public enum AlertState: String, Sendable, Codable, CaseIterable {
    /// In force, unless it has expired or not yet begun.
    case active
    /// Replaced by an update that references it.
    case superseded
    /// Ended by a cancel message that references it.
    case cancelled
    /// A cancel message itself: it ends others and puts nothing on the map.
    case cancel
}
