using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace ConvTokens.PowerShell
{
    /// <summary>
    /// Loads ConvTokens.Engine and its IdentityModel dependencies from the module's Dependencies folder
    /// into a load context of their own, so other modules' (Az, Microsoft.Graph, ...) versions of the same
    /// assemblies never clash with ours, whichever is loaded first.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private const string EngineAssemblyName = "ConvTokens.Engine";
        private static readonly object Gate = new object();
        private static int s_imports;

        public void OnImport()
        {
            lock (Gate)
            {
                if (s_imports++ == 0) { AssemblyLoadContext.Default.Resolving += ResolveEngine; }
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            lock (Gate)
            {
                if (s_imports > 0 && --s_imports == 0) { AssemblyLoadContext.Default.Resolving -= ResolveEngine; }
            }
        }

        private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
            name.Name == EngineAssemblyName ? DependencyLoadContext.Instance.LoadFromAssemblyName(name) : null;
    }

    /// <summary>The module's private load context over the Dependencies folder.</summary>
    internal sealed class DependencyLoadContext : AssemblyLoadContext
    {
        public static readonly DependencyLoadContext Instance = new DependencyLoadContext(
            Path.Combine(Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!, "Dependencies"));

        private readonly string _folder;

        private DependencyLoadContext(string folder) : base("ConvTokens.Dependencies")
        {
            _folder = folder;
        }

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name is { } simple && simple.StartsWith("System.", StringComparison.Ordinal))
            {
                // Prefer the runtime's own framework assembly; ship ours only for older runtimes that lack the version.
                try { return Default.LoadFromAssemblyName(name); }
                catch (FileNotFoundException) { }
                catch (FileLoadException) { }
            }
            var path = Path.Combine(_folder, name.Name + ".dll");
            // Anything not shipped in Dependencies (the framework itself) comes from the default context.
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
