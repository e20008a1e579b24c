using System.Globalization;
using System.Text;

namespace Destination.Milvus.Processing;

/// <summary>
/// JSON numbers as Python prints them after <c>json.loads</c> (ints keep their digits, floats use <c>repr</c>), for
/// <see cref="PythonText"/>: a number in a text field must give the same text, tokens and vector as in the Python
/// connector.
/// </summary>
internal static class PythonNumbers
{
    /// <summary>
    /// Formats a JSON number literal as Python prints the parsed value: literals without a fraction or exponent are
    /// Python ints (digits kept, <c>-0</c> is <c>0</c>); the rest are floats printed with Python's <c>repr</c>.
    /// </summary>
    public static string Format(string raw)
    {
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            // Python ints have arbitrary precision, so the literal's digits are the answer.
            return raw == "-0" ? "0" : raw;
        }

        return FormatFloat(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest round-tripping digits, in positional notation when the decimal
    /// exponent is in [-4, 16), otherwise scientific with a signed, at least two-digit exponent (<c>1e+20</c>, <c>1.5e-07</c>).
    /// </summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // "E16" is not shortest; "R" is, but its layout varies, so take its digits and exponent apart.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }

        var exponent = 0;
        var ePos = r.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..ePos];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? r[..dot] : r;
        var fracPart = dot >= 0 ? r[(dot + 1)..] : string.Empty;
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;

        // Value = 0.DIGITS * 10^decimalPoint, with DIGITS having no leading zeros.
        var decimalPoint = intPart.Length + exponent - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var sciExponent = decimalPoint - 1;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (sciExponent < -4 || sciExponent >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(sciExponent < 0 ? '-' : '+');
            sb.Append(Math.Abs(sciExponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalPoint <= 0)
        {
            sb.Append("0.").Append('0', -decimalPoint).Append(digits);
        }
        else if (decimalPoint >= digits.Length)
        {
            sb.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
        }

        return sb.ToString();
    }
}
