using System.Text;

namespace Destination.Milvus.Processing.Splitting;

/// <content>The merge of pieces into chunks.</content>
internal sealed partial class RecursiveTextSplitter
{
    /// <summary>
    /// langchain's <c>_merge_splits</c>, fed one piece at a time: a window of pieces with a running token total
    /// (pieces plus the separators between them), emitting a chunk whenever the next piece would not fit.
    /// </summary>
    private sealed class Merger(Run run, string join, int joinTokens)
    {
        private readonly Queue<Piece> _window = new();
        private StringBuilder? _builder;
        private int _total;

        public void Add(Piece piece)
        {
            var chunkSize = run.Splitter.ChunkSize;
            if (_total + piece.Tokens + (_window.Count > 0 ? joinTokens : 0) > chunkSize && _window.Count > 0)
            {
                EmitWindow();
                while (_window.Count > 0
                       && (_total > run.Splitter._chunkOverlap
                           || (_total + piece.Tokens + joinTokens > chunkSize && _total > 0)))
                {
                    var dropped = _window.Dequeue();
                    _total -= dropped.Tokens + (_window.Count > 0 ? joinTokens : 0);
                }
            }

            _window.Enqueue(piece);
            _total += piece.Tokens + (_window.Count > 1 ? joinTokens : 0);
        }

        /// <summary>Emits what is left and starts over (the end of one <c>_merge_splits</c> call).</summary>
        public void Finish()
        {
            if (_window.Count > 0)
            {
                EmitWindow();
            }

            _window.Clear();
            _total = 0;
        }

        /// <summary>
        /// Emits the window's pieces joined. When they lie in the input as they are joined (kept separators, or one
        /// literal separator between each pair), the chunk is cut from the input instead of built; its count is the sum
        /// of the pieces and joins when every joint is a clean cut.
        /// </summary>
        private void EmitWindow()
        {
            var source = run.Source;
            var tokens = 0;
            var inPlace = true;
            var previousEnd = -1;
            foreach (var piece in _window)
            {
                if (previousEnd >= 0)
                {
                    var counter = run.Splitter._counter;
                    if (join.Length == 0)
                    {
                        tokens = tokens >= 0 && counter.IsCleanCut(source[previousEnd - 1], source[piece.Start]) ? tokens : -1;
                        inPlace &= piece.Start == previousEnd;
                    }
                    else
                    {
                        tokens = tokens >= 0 && counter.IsCleanCut(source[previousEnd - 1], join[0]) && counter.IsCleanCut(join[^1], source[piece.Start])
                            ? tokens + joinTokens
                            : -1;
                        inPlace &= piece.Start == previousEnd + join.Length && source.AsSpan(previousEnd, join.Length).SequenceEqual(join);
                    }
                }

                tokens = tokens >= 0 ? tokens + piece.Tokens : -1;
                previousEnd = piece.Start + piece.Length;
            }

            var first = _window.Peek();
            if (inPlace)
            {
                run.Emit(source, first.Start, previousEnd - first.Start, tokens);
                return;
            }

            _builder ??= new StringBuilder();
            _builder.Clear();
            var isFirst = true;
            foreach (var piece in _window)
            {
                if (!isFirst)
                {
                    _builder.Append(join);
                }

                isFirst = false;
                _builder.Append(run.Text(piece.Start, piece.Length));
            }

            var joined = _builder.ToString();
            run.Emit(joined, 0, joined.Length, tokens);
        }
    }
}
