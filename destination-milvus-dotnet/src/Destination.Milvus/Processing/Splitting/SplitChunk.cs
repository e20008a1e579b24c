namespace Destination.Milvus.Processing.Splitting;

/// <summary>One chunk of a split text and its exact token count, so the caller does not count the chunk again.</summary>
/// <param name="Text">The chunk.</param>
/// <param name="Tokens">Its tokens by the splitter's counter: always equal to counting <paramref name="Text"/> itself.</param>
internal readonly record struct SplitChunk(string Text, int Tokens);
