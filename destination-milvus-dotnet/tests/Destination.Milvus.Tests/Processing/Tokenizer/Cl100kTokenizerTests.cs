using System.Text;
using Destination.Milvus.Processing.Tokenizer;

namespace Destination.Milvus.Tests.Processing.Tokenizer;

/// <summary>
/// Known token ids come from OpenAI's tiktoken 1.0.22 (integration_tests/TokenizerOracle/oracle.mjs encode); the
/// large parity test against it lives in the integration tests.
/// </summary>
public class Cl100kTokenizerTests
{
    private static readonly Cl100kTokenizer Tokenizer = Cl100kTokenizer.Instance;

    public static TheoryData<string, int[]> KnownIds => new()
    {
        { "hello world", [15339, 1917] },
        { "", [] },
        { "<|endoftext|>", [27, 91, 8862, 728, 428, 91, 29] },
        { "Hello, I can't log in since yesterday's update. Error 0x80070005!", [9906, 11, 358, 649, 956, 1515, 304, 2533, 13985, 596, 2713, 13, 4703, 220, 15, 87, 4728, 7007, 2304, 0] },
        { "    indented\r\n\r\n\tline  ", [262, 1280, 16243, 881, 28208, 256] },
        { "x\ud800y", [87, 5809, 88] },
        { "\udc00", [5809] },
        { "\ud83d\ude00 emoji \ud83d\udc4d\ud83c\udffd", [76460, 222, 43465, 62904, 235, 9468, 237, 121] },
        { "12345678 1.5 \u0661\u0662\u0663\u0664", [4513, 10961, 2495, 220, 16, 13, 20, 220, 149, 94, 149, 95, 149, 96, 149, 97] },
        { "'S 'RE 'll'VE \u017f '\u017f", [13575, 364, 793, 364, 657, 6, 4592, 27006, 123, 364, 129, 123] },
        { "日本語のテキスト", [9080, 22656, 45918, 252, 16144, 57933, 62903, 71634] },
        { "Привет, мир!", [54745, 28089, 8341, 11, 11562, 78746, 0] },
        { "e\u0301te\u0301", [68, 54939, 668, 54939] },
        { "   \n   x", [5996, 256, 865] },
    };

    [Theory]
    [MemberData(nameof(KnownIds))]
    public void Encode_gives_the_ids_of_openai_tiktoken(string text, int[] expected)
    {
        Assert.Equal(expected, Tokenizer.Encode(text));
        Assert.Equal(expected.Length, Tokenizer.CountTokens(text));
    }

    [Theory]
    [MemberData(nameof(KnownIds))]
    public void Decode_restores_the_text_with_lone_surrogates_as_replacement_characters(string text, int[] ids)
    {
        var expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
        Assert.Equal(expected, Tokenizer.Decode(ids));
    }

    [Fact]
    public void Special_token_text_is_ordinary_text_and_never_an_error()
    {
        var ids = Tokenizer.Encode("a <|endoftext|> b <|fim_prefix|><|endofprompt|>");
        Assert.DoesNotContain(ids, id => id >= 100257);
        Assert.Equal("a <|endoftext|> b <|fim_prefix|><|endofprompt|>", Tokenizer.Decode(ids));
    }

    [Fact]
    public void Decode_accepts_special_token_ids_and_rejects_unknown_ids()
    {
        Assert.Equal("<|endoftext|>x", Tokenizer.Decode([100257, 87]));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([100256]));
        Assert.Contains("100256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_runs_keep_their_last_blank_for_the_following_word()
    {
        // "a" "   " " b": the run before a word gives up its last space; a run at the end stays whole.
        Assert.Equal(3, Tokenizer.CountTokens("a    b"));
        Assert.Equal(Tokenizer.Encode("a")[0], Tokenizer.Encode("a    b")[0]);
        Assert.Equal(Tokenizer.Encode(" b")[0], Tokenizer.Encode("a    b")[2]);
        Assert.Equal(Tokenizer.Encode("    "), Tokenizer.Encode("a    ")[1..]);
    }

    [Fact]
    public void A_very_long_word_uses_the_heap_merge_and_round_trips()
    {
        var random = new Random(7);
        var word = new string([.. Enumerable.Range(0, 5000).Select(_ => (char)('a' + random.Next(26)))]);
        var ids = Tokenizer.Encode(word);
        Assert.Equal(word, Tokenizer.Decode(ids));
        Assert.Equal(ids.Length, Tokenizer.CountTokens(word));
    }

    [Fact]
    public void Heap_merge_and_array_merge_agree_on_every_piece_up_to_the_threshold()
    {
        var ranks = Cl100kRanks.LoadEmbedded();
        var random = new Random(11);
        string[] alphabet = ["a", "b", "e", "th", "in", " ", "0", "1", "é", "ß", "日", "{", "\"", "😀"];
        for (var round = 0; round < 2000; round++)
        {
            var text = new StringBuilder();
            var length = random.Next(2, 60);
            for (var i = 0; i < length; i++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (bytes.Length < 2 || bytes.Length > Cl100kBytePairEncoder.HeapThreshold)
            {
                continue;
            }

            var buffer = new byte[bytes.Length + Cl100kRanks.KeyPadding];
            bytes.CopyTo(buffer, 0);
            var small = new int[bytes.Length];
            var heap = new int[bytes.Length];
            var n1 = Cl100kBytePairEncoder.MergeSmall(ranks, buffer, bytes.Length, small);
            var n2 = Cl100kBytePairEncoder.MergeWithHeap(ranks, buffer, bytes.Length, heap);
            Assert.Equal(small[..n1], heap[..n2]);
        }
    }

    [Fact]
    public void Cached_pieces_give_the_same_ids_as_a_fresh_merge_even_when_slots_collide()
    {
        var ranks = Cl100kRanks.LoadEmbedded();
        var random = new Random(5);
        string[] syllables = ["zh", "ou", "br", "ax", "qu", "ix", "ty", "el", "pr", "ö", "日", "ka"];
        var words = Enumerable.Range(0, 6000)
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(2, 7)).Select(_ => syllables[random.Next(syllables.Length)])))
            .ToArray();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var word in words)
            {
                var bytes = Encoding.UTF8.GetBytes(word);
                var buffer = new byte[bytes.Length + Cl100kRanks.KeyPadding];
                bytes.CopyTo(buffer, 0);
                var whole = ranks.Lookup(ref buffer[0], bytes.Length);
                int[] expected;
                if (whole >= 0)
                {
                    expected = [whole];
                }
                else
                {
                    var merged = new int[bytes.Length];
                    var n = Cl100kBytePairEncoder.MergeSmall(ranks, buffer, bytes.Length, merged);
                    expected = merged[..n];
                }

                Assert.Equal(expected, Tokenizer.Encode(word));
                Assert.Equal(expected.Length, Tokenizer.CountTokens(word));
            }
        }
    }

    [Fact]
    public void The_rank_table_maps_every_token_back_to_its_rank()
    {
        var ranks = Cl100kRanks.LoadEmbedded();
        Assert.Equal(100256, ranks.Count);
        for (var rank = 0; rank < ranks.Count; rank++)
        {
            var bytes = new byte[ranks.TokenBytes(rank).Length + Cl100kRanks.KeyPadding];
            ranks.TokenBytes(rank).CopyTo(bytes);
            Assert.Equal(rank, ranks.Lookup(ref bytes[0], bytes.Length - Cl100kRanks.KeyPadding));
        }
    }

    [Fact]
    public void The_shared_instance_gives_the_same_results_from_several_threads()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"Ticket #{i}: the printer on floor {i % 7} says 'paper jam' ❌ again.\r\n").ToArray();
        var expected = texts.Select(t => Tokenizer.Encode(t)).ToArray();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.Equal(expected[i], Tokenizer.Encode(texts[i]));
            }
        });
    }
}
