using System.Runtime.CompilerServices;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// The teacher cache is off in this test process and the processes it starts (SWEEPS_TEACHER_CACHE=off): a sweep of a
/// test trains its teachers, whatever an earlier test or run left in a cache, and never writes to the user's cache
/// folder. Tests of the cache name their own temporary folder (the sweep's teacher_cache key, or the variable set for a
/// child process).
/// </summary>
internal static class TeacherCacheOff
{
    [ModuleInitializer]
    internal static void TurnOff() => Environment.SetEnvironmentVariable(Sweeps.Training.Teachers.TeacherCache.EnvironmentVariable, Sweeps.Training.Teachers.TeacherCache.Off);
}
