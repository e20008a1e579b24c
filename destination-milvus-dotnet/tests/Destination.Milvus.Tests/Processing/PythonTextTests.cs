using System.Text;
using Destination.Milvus.Processing;
using static Destination.Milvus.Tests.Processing.ProcessingTestData;

namespace Destination.Milvus.Tests.Processing;

/// <summary>
/// Python <c>str()</c> of parsed JSON numbers and values. The float cases were checked against CPython 3 (and the
/// implementation was cross-checked once against CPython on 20,000 random doubles).
/// </summary>
public class PythonTextTests
{
    [Theory]
    [InlineData("1", "1")]
    [InlineData("-0", "0")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("1.0", "1.0")]
    [InlineData("-0.0", "-0.0")]
    [InlineData("1e20", "1e+20")]
    [InlineData("1E+16", "1e+16")]
    [InlineData("1e15", "1000000000000000.0")]
    [InlineData("9999999999999998.0", "9999999999999998.0")]
    [InlineData("1.5e-7", "1.5e-07")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("0.1", "0.1")]
    [InlineData("123456789.123", "123456789.123")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("1e400", "inf")]
    [InlineData("-1e400", "-inf")]
    [InlineData("2.50", "2.5")]
    public void Numbers_print_like_python(string json, string expected)
    {
        Assert.Equal(expected, PythonNumbers.Format(json));
    }

    [Theory]
    [InlineData("true", "True")]
    [InlineData("false", "False")]
    [InlineData("null", "None")]
    [InlineData("\"as is\"", "as is")]
    [InlineData("""{"a": "it's", "b": [1, true, null, "x\ny"]}""", """{'a': "it's", 'b': [1, True, None, 'x\ny']}""")]
    public void Str_of_values_is_python_str(string json, string expected)
    {
        Assert.Equal(expected, PythonText.Str(Json(json)));
    }

    [Fact]
    public void Values_only_rendering_flattens_and_skips_empty_values()
    {
        var sb = new StringBuilder();

        PythonText.AppendValuesOnly(sb, Json("""{"a": "x", "b": [], "c": {}, "d": "", "e": [1, {"f": false}], "g": null}"""));

        Assert.Equal("x\n1\nFalse\nNone\n", sb.ToString());
    }
}
