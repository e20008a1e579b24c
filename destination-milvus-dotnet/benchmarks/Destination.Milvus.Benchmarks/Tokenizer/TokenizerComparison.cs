using System.Diagnostics;
using System.Globalization;
using System.Text;
using Destination.Milvus.Processing.Tokenizer;
using Microsoft.ML.Tokenizers;

namespace Destination.Milvus.Benchmarks.Tokenizer;

/// <summary>
/// Our cl100k_base tokenizer side by side with Microsoft.ML.Tokenizers 3.0.0 (<c>TiktokenTokenizer.CreateForEncoding("cl100k_base")</c>,
/// as a product would create it) in one process: the same texts, passes alternating between the two (ABBA order, so
/// a drift in the machine's load hits both alike), each pass timed in process CPU seconds. Also checks that both
/// produce the same ids on the measured texts.
/// </summary>
internal static class TokenizerComparison
{
    /// <summary>Appends the comparison table for <paramref name="corpora"/> to <paramref name="report"/>.</summary>
    public static void Append(StringBuilder report, IReadOnlyList<(string Name, List<string> Texts)> corpora, int rounds)
    {
        var ours = Cl100kTokenizer.Instance;
        var sw = Stopwatch.StartNew();
        var cpuBefore = CpuSeconds();
        var theirs = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        theirs.CountTokens("Hello, world! 123");
        var loadWall = sw.Elapsed.TotalMilliseconds;
        var loadCpu = (CpuSeconds() - cpuBefore) * 1000;

        report.AppendLine().AppendLine("## Side by side with Microsoft.ML.Tokenizers 3.0.0").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Microsoft.ML.Tokenizers 3.0.0 with Microsoft.ML.Tokenizers.Data.Cl100kBase 3.0.0, `TiktokenTokenizer.CreateForEncoding(\"cl100k_base\")`; first creation and call in the process: {loadWall:F0} ms wall, {loadCpu:F0} ms CPU.");
        report.AppendLine(CultureInfo.InvariantCulture, $"Each figure is the median of {rounds} rounds; a round runs one pass of each tokenizer over the whole corpus, every text separately, in ABBA order; a pass is timed in CPU seconds of the process (`Process.TotalProcessorTime`, which includes the garbage collector's work for that pass). The ratio is taken per round, then the median.").AppendLine();
        report.AppendLine("| Corpus | Texts / tokens | Same ids | Count: ours / theirs, M tokens per CPU s | Count ratio | Encode: ours / theirs, M tokens per CPU s | Encode ratio |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, texts) in corpora)
        {
            long tokens = 0;
            var differing = 0;
            foreach (var text in texts)
            {
                var ids = ours.Encode(text);
                tokens += ids.Length;
                differing += ids.AsSpan().SequenceEqual([.. theirs.EncodeToIds(text)]) ? 0 : 1;
            }

            var count = Alternate(rounds, () => CountOurs(ours, texts), () => CountTheirs(theirs, texts));
            var encode = Alternate(rounds, () => EncodeOurs(ours, texts), () => EncodeTheirs(theirs, texts));
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {texts.Count:N0} / {tokens:N0} | {(differing == 0 ? "yes" : $"**no: {differing:N0} texts differ**")} | {tokens / count.Ours / 1e6:F1} / {tokens / count.Theirs / 1e6:F1} | **{count.Ratio:F2}×** | {tokens / encode.Ours / 1e6:F1} / {tokens / encode.Theirs / 1e6:F1} | **{encode.Ratio:F2}×** |");
        }

        report.AppendLine().AppendLine("Ratio = their CPU seconds / ours for the same pass (above 1: ours is faster).");
    }

    /// <summary>Median CPU seconds of each side and the median of the per-round ratio theirs / ours.</summary>
    private static (double Ours, double Theirs, double Ratio) Alternate(int rounds, Func<long> ours, Func<long> theirs)
    {
        ours();
        theirs();
        var oursCpu = new List<double>();
        var theirsCpu = new List<double>();
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            double a, b;
            if (round % 2 == 0)
            {
                a = Cpu(ours);
                b = Cpu(theirs);
            }
            else
            {
                b = Cpu(theirs);
                a = Cpu(ours);
            }

            oursCpu.Add(a);
            theirsCpu.Add(b);
            ratios.Add(b / a);
        }

        return (Median(oursCpu), Median(theirsCpu), Median(ratios));
    }

    private static double Cpu(Func<long> pass)
    {
        var before = CpuSeconds();
        pass();
        return CpuSeconds() - before;
    }

    private static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static long CountOurs(Cl100kTokenizer tokenizer, List<string> texts)
    {
        long total = 0;
        foreach (var text in texts)
        {
            total += tokenizer.CountTokens(text);
        }

        return total;
    }

    private static long CountTheirs(TiktokenTokenizer tokenizer, List<string> texts)
    {
        long total = 0;
        foreach (var text in texts)
        {
            total += tokenizer.CountTokens(text);
        }

        return total;
    }

    private static long EncodeOurs(Cl100kTokenizer tokenizer, List<string> texts)
    {
        long total = 0;
        foreach (var text in texts)
        {
            total += tokenizer.Encode(text).Length;
        }

        return total;
    }

    private static long EncodeTheirs(TiktokenTokenizer tokenizer, List<string> texts)
    {
        long total = 0;
        foreach (var text in texts)
        {
            total += tokenizer.EncodeToIds(text).Count;
        }

        return total;
    }
}
