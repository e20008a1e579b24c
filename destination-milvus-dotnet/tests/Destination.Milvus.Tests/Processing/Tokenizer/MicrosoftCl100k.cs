using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Destination.Milvus.Tests.Processing.Tokenizer;

/// <summary>
/// Microsoft.ML.Tokenizers' cl100k_base (<see cref="TiktokenTokenizer"/> over the ranks shipped in
/// Microsoft.ML.Tokenizers.Data.Cl100kBase) as an in-process oracle for our tokenizer, built with the semantics the
/// connector needs: no special tokens, so <c>&lt;|endoftext|&gt;</c> is plain text (tiktoken's
/// <c>disallowed_special=()</c>). It is a second opinion beside OpenAI's tiktoken (integration_tests/TokenizerOracle),
/// not a replacement: it cannot judge every string (<see cref="CannotJudge"/>).
/// </summary>
internal static partial class MicrosoftCl100k
{
    /// <summary>The tokenizer; thread-safe.</summary>
    public static TiktokenTokenizer Tokenizer { get; } = Create();

    /// <summary>
    /// Why the oracle's answer for <paramref name="text"/> is not tiktoken's, or null when it is. Two classes, both
    /// found by running the parity corpus against tiktoken and this oracle side by side:
    /// a lone UTF-16 surrogate (tiktoken's JavaScript binding and our tokenizer read it as U+FFFD; this library encodes
    /// the surrogate's own three bytes), and a letter or digit outside the Basic Multilingual Plane (.NET's Regex
    /// matches <c>\p{L}</c> and <c>\p{N}</c> per UTF-16 code unit, so a surrogate pair is never a letter; tiktoken's
    /// Rust regex works on code points).
    /// </summary>
    public static string? CannotJudge(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
            {
                continue;
            }

            if (!char.IsHighSurrogate(text[i]) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
            {
                return "a lone surrogate";
            }

            if (char.GetUnicodeCategory(text, i) is <= UnicodeCategory.OtherLetter or (>= UnicodeCategory.DecimalDigitNumber and <= UnicodeCategory.OtherNumber))
            {
                return "a letter or digit outside the BMP";
            }

            i++;
        }

        return null;
    }

    /// <summary>cl100k_base's pre-tokenizer pattern (tiktoken's <c>cl100k_base</c> <c>pat_str</c>).</summary>
    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex Cl100kPattern();

    private static TiktokenTokenizer Create()
    {
        // The data package keeps the ranks as a deflated resource and exposes them only through CreateForEncoding,
        // which always adds the special tokens; read the resource to build a tokenizer without them.
        var data = Assembly.Load("Microsoft.ML.Tokenizers.Data.Cl100kBase");
        using var deflated = data.GetManifestResourceStream("cl100k_base.tiktoken.deflate")
            ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers.Data.Cl100kBase no longer holds cl100k_base.tiktoken.deflate.");
        using var ranks = new DeflateStream(deflated, CompressionMode.Decompress);
        return TiktokenTokenizer.Create(ranks, new RegexPreTokenizer(Cl100kPattern(), specialTokens: null), normalizer: null, specialTokens: null);
    }
}
