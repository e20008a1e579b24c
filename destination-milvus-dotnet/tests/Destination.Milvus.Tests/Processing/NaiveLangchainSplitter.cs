using System.Text.RegularExpressions;
using Destination.Milvus.Processing.Splitting;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// A deliberately literal, string-based transcription of langchain's recursive splitter (lists of strings,
/// re-counting, re-slicing): slow, but easy to compare line by line with the Python. The production splitter must
/// produce exactly the same chunks; the differential tests check that on random inputs.
/// </summary>
internal sealed class NaiveLangchainSplitter(
    IReadOnlyList<string> separators, KeepSeparator keep, bool isRegex, int chunkSize, int chunkOverlap, ITokenCounter counter)
{
    public List<string> Split(string text) => SplitText(text, [.. separators]);

    private int Len(string s) => s.Length == 0 ? 0 : counter.CountTokens(s);

    private List<string> SplitText(string text, List<string> seps)
    {
        var final = new List<string>();
        var separator = seps[^1];
        var newSeps = new List<string>();
        for (var i = 0; i < seps.Count; i++)
        {
            var s = seps[i];
            if (s.Length == 0)
            {
                separator = s;
                break;
            }

            if (Regex.IsMatch(text, isRegex ? s : Regex.Escape(s)))
            {
                separator = s;
                newSeps = seps.Skip(i + 1).ToList();
                break;
            }
        }

        var splits = SplitWithRegex(text, isRegex ? separator : Regex.Escape(separator));
        var good = new List<string>();
        var join = keep != KeepSeparator.None ? string.Empty : separator;
        foreach (var s in splits)
        {
            if (Len(s) < chunkSize)
            {
                good.Add(s);
            }
            else
            {
                if (good.Count > 0)
                {
                    final.AddRange(Merge(good, join));
                    good = [];
                }

                if (newSeps.Count == 0)
                {
                    final.Add(s);
                }
                else
                {
                    final.AddRange(SplitText(s, newSeps));
                }
            }
        }

        if (good.Count > 0)
        {
            final.AddRange(Merge(good, join));
        }

        return final;
    }

    private List<string> SplitWithRegex(string text, string pattern)
    {
        List<string> splits;
        if (pattern.Length > 0)
        {
            if (keep != KeepSeparator.None)
            {
                var parts = Regex.Split(text, $"({pattern})");
                splits = [];
                if (keep == KeepSeparator.End)
                {
                    for (var i = 0; i + 1 < parts.Length; i += 2)
                    {
                        splits.Add(parts[i] + parts[i + 1]);
                    }

                    splits.Add(parts[^1]);
                }
                else
                {
                    splits.Add(parts[0]);
                    for (var i = 1; i + 1 < parts.Length; i += 2)
                    {
                        splits.Add(parts[i] + parts[i + 1]);
                    }
                }
            }
            else
            {
                splits = [.. Regex.Split(text, pattern)];
            }
        }
        else
        {
            splits = [];
            for (var i = 0; i < text.Length;)
            {
                var size = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                splits.Add(text.Substring(i, size));
                i += size;
            }
        }

        return splits.Where(s => s.Length > 0).ToList();
    }

    private List<string> Merge(List<string> splits, string separator)
    {
        var sepLen = Len(separator);
        var docs = new List<string>();
        var current = new List<string>();
        var total = 0;
        foreach (var d in splits)
        {
            var len = Len(d);
            if (total + len + (current.Count > 0 ? sepLen : 0) > chunkSize)
            {
                if (current.Count > 0)
                {
                    var doc = JoinDocs(current, separator);
                    if (doc is not null)
                    {
                        docs.Add(doc);
                    }

                    while (total > chunkOverlap || (total + len + (current.Count > 0 ? sepLen : 0) > chunkSize && total > 0))
                    {
                        total -= Len(current[0]) + (current.Count > 1 ? sepLen : 0);
                        current = current.Skip(1).ToList();
                    }
                }
            }

            current.Add(d);
            total += len + (current.Count > 1 ? sepLen : 0);
        }

        var last = JoinDocs(current, separator);
        if (last is not null)
        {
            docs.Add(last);
        }

        return docs;
    }

    private static string? JoinDocs(List<string> docs, string separator)
    {
        var text = string.Join(separator, docs);
        static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');
        var begin = 0;
        var end = text.Length;
        while (begin < end && IsSpace(text[begin]))
        {
            begin++;
        }

        while (end > begin && IsSpace(text[end - 1]))
        {
            end--;
        }

        return end == begin ? null : text[begin..end];
    }
}
