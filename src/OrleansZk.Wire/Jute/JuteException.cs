namespace OrleansZk.Wire.Jute;

/// <summary>
/// Bytes that are not a well-formed jute record: cut short, a negative or impossible length, a
/// vector longer than its frame. The connection that sent them is closed; nothing of the frame
/// was acted on.
/// </summary>
public sealed class JuteException(string message) : Exception(message);
