using System;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// A fact that only runs when VAEGEN_BENCH=1, so benchmarks stay out of the normal (fast) test run.
/// Run: VAEGEN_BENCH=1 dotnet test tests/VaeGen.Runtime.Tests -c Release --filter "Category=Benchmark" --logger "console;verbosity=detailed"
/// </summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("VAEGEN_BENCH") != "1")
        {
            Skip = "benchmark: set VAEGEN_BENCH=1 to run";
        }
    }
}
