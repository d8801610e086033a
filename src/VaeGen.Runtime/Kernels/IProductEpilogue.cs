using System;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// Elementwise work a product applies to C as each thread finishes its part, while that part is still in the cache of
/// the core that wrote it (an evaluation-mode activation after a linear layer). Run on a separate pass, the thread that
/// forked reads the other threads' parts from their cores' caches: in seed000's InferenceMode pass on two threads a ReLU
/// after a linear layer took 6.6 us against 1.4 on one.
/// </summary>
/// <remarks>The result must not depend on where a span starts or how long it is, since the parts depend on the threads.</remarks>
internal interface IProductEpilogue
{
    /// <summary>Transforms finished values of C in place.</summary>
    /// <param name="values">A run of C's elements, all finished.</param>
    void Apply(Span<float> values);
}
