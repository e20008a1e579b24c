namespace Destination.Milvus.Protocol;

/// <summary>
/// One line of stdin without its line break. <see cref="Bytes"/> points into the reader's pooled buffer and is valid
/// only until the next read. <see cref="TooLong"/> lines were dropped because they exceeded the line size limit.
/// </summary>
internal readonly record struct InputLine(ReadOnlyMemory<byte> Bytes, long Number, bool TooLong);
