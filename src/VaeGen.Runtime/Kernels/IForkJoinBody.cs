namespace VaeGen.Runtime.Kernels;

/// <summary>One fork-join computation split into parts; see <see cref="ForkJoin"/>.</summary>
internal interface IForkJoinBody
{
    /// <summary>Computes part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    /// <param name="part">The part index.</param>
    /// <param name="parts">The number of parts.</param>
    void Run(int part, int parts);
}
