namespace OrleansZk.Database;

/// <summary>A problem with the OrleansZk database; the message names the database (password masked).</summary>
public abstract class ZkDatabaseException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The database could not be reached or opened (host down, wrong credentials, unreadable file).</summary>
public sealed class DatabaseUnavailableException(string message, Exception? inner = null) : ZkDatabaseException(message, inner);

/// <summary>
/// The database is reachable but not one this silo may use: its schema is newer than the silo
/// knows, older and the silo may not upgrade it, or it is not an OrleansZk database at all (a
/// damaged or foreign SQLite file, Orleans tables made by other scripts).
/// </summary>
public sealed class DatabaseRefusedException(string message, Exception? inner = null) : ZkDatabaseException(message, inner);
