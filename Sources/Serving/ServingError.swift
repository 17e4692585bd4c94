/// Why a job could not start or a control command was refused. One message names what is wrong.
public enum ServingError: Error, CustomStringConvertible, Equatable {
    case streamKeyHasWrongType(key: String, type: String)
    case duplicateJob(name: String, id: Int)
    case noSuchJob(String)
    case modelLoadFailed(path: String, reason: String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .streamKeyHasWrongType(let key, let type):
            "the key '\(key)' holds a \(type), not a stream: the job cannot read its inputs from it (DEL it or choose another jobName)"
        case .duplicateJob(let name, let id):
            "a job named '\(name)' is already running (id \(id)); set another jobName in the config to run a second job"
        case .noSuchJob(let name):
            "no job with id or name '\(name)'"
        case .modelLoadFailed(let path, let reason):
            "could not load the model at \(path): \(reason)"
        case .unsupported(let what):
            what
        }
    }
}

/// Why one record got `NaN`: the text goes to the result's `error` field and to the error log.
struct RecordError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
