using BenchmarkDotNet.Running;
using Destination.Milvus.Benchmarks.Embedding;

namespace Destination.Milvus.Benchmarks;

internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Console modes that measure wall time against a test server (not micro-benchmarks) come first.
        if (args.Length > 0 && args[0] == "embedding-report")
        {
            return await EmbeddingReport.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
