using BenchmarkDotNet.Running;
using Destination.Milvus.Benchmarks.Embedding;
using Destination.Milvus.Benchmarks.Tokenizer;

namespace Destination.Milvus.Benchmarks;

internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Console modes that measure wall time or scaling (not micro-benchmarks) come first.
        switch (args.Length > 0 ? args[0] : "")
        {
            case "tokenizer-report":
                return TokenizerReport.Run(args);
            case "tokenizer-diag":
                return TokenizerDiag.Run();
            case "write-ceiling":
                return Writing.WriteCeiling.Run(args);
            case "gen-records":
                return Writing.RecordGenerator.Run(args);
            case "embedding-report":
                return await EmbeddingReport.RunAsync(args[1..]);
            case "embedding-batch-report":
                return await BatchSizeReport.RunAsync(args[1..]);
            case "reuse-report":
                return await ReuseReport.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
