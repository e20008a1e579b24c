using Destination.Milvus.Configuration;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

public sealed class WriteOptionsTests
{
    private static WriteOptions From(params (string Name, string Value)[] variables) =>
        WriteOptions.FromEnvironment(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void Without_variables_the_defaults_apply()
    {
        var options = From();
        Assert.Equal(new WriteOptions(), options);
        Assert.Equal(256, options.MaxBatchRecords);
    }

    [Fact]
    public void The_batch_size_is_read_from_its_variable()
    {
        var options = From((WriteOptions.MaxBatchRecordsVariable, "8"));
        Assert.Equal(8, options.MaxBatchRecords);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("eight")]
    [InlineData("")]
    public void An_invalid_batch_size_keeps_the_default(string value) =>
        Assert.Equal(256, From((WriteOptions.MaxBatchRecordsVariable, value)).MaxBatchRecords);

    [Theory]
    [InlineData("250", 250)]
    [InlineData("99", 10_000)]
    [InlineData("soon", 10_000)]
    public void The_progress_interval_is_read_from_its_variable_and_at_least_100_ms(string value, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), From((WriteOptions.ProgressIntervalVariable, value)).ProgressInterval);

    [Theory]
    [InlineData("2500", 2500)]
    [InlineData("99", null)]
    [InlineData("", null)]
    [InlineData("1e3", null)]
    public void The_request_timeout_is_read_from_its_variable_and_at_least_100_ms(string value, int? expectedMs) =>
        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, From((WriteOptions.RequestTimeoutVariable, value)).RequestTimeout);

    [Theory]
    [InlineData("16", 16)]
    [InlineData("0", null)]
    [InlineData("many", null)]
    public void The_record_memory_is_read_from_its_variable(string value, int? expected) =>
        Assert.Equal(expected, From((WriteOptions.RecordMemoryVariable, value)).RecordMemory);

    [Fact]
    public void Settings_of_the_config_win_over_the_environment_and_unset_ones_keep_it()
    {
        var fromEnvironment = From((WriteOptions.RequestTimeoutVariable, "2500"), (WriteOptions.ProgressIntervalVariable, "250"));
        var timeoutSet = fromEnvironment.WithTuning(new TuningConfig(TimeSpan.FromSeconds(9), null));
        Assert.Equal((TimeSpan.FromSeconds(9), TimeSpan.FromMilliseconds(250)), (timeoutSet.RequestTimeout!.Value, timeoutSet.ProgressInterval));
        var intervalSet = fromEnvironment.WithTuning(new TuningConfig(null, TimeSpan.FromSeconds(30)));
        Assert.Equal((TimeSpan.FromMilliseconds(2500), TimeSpan.FromSeconds(30)), (intervalSet.RequestTimeout!.Value, intervalSet.ProgressInterval));
        Assert.Equal(fromEnvironment, fromEnvironment.WithTuning(TuningConfig.None));
    }
}
