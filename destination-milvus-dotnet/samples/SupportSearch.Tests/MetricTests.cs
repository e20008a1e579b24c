namespace SupportSearch.Tests;

public sealed class MetricTests
{
    [Theory]
    [InlineData("L2", 0.2, 0.35, true)]
    [InlineData("L2", 0.5, 0.35, false)]
    [InlineData("", 0.2, 0.35, true)]
    [InlineData("COSINE", 0.9, 0.8, true)]
    [InlineData("cosine", 0.7, 0.8, false)]
    [InlineData("IP", 0.9, 0.8, true)]
    [InlineData("IP", 0.1, 0.8, false)]
    public void Closer_follows_the_metric_direction(string metric, double value, double threshold, bool closer) =>
        Assert.Equal(closer, Metric.Parse(metric).IsCloser(value, threshold));
}
