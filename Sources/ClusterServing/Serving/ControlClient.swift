import HTTPFrontend

/// The CLI's job-control connection: `SERVING ...` commands to the store's port.
typealias ControlClient = RESPConnection
