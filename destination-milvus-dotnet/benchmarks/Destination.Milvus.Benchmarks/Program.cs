using BenchmarkDotNet.Running;
using Destination.Milvus.Benchmarks.Tokenizer;

namespace Destination.Milvus.Benchmarks;

internal static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "tokenizer-report")
        {
            return TokenizerReport.Run(args);
        }

        if (args.Length > 0 && args[0] == "tokenizer-diag")
        {
            return TokenizerDiag.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
