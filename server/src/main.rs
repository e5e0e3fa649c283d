// Imports hold a whole source as many small records; mimalloc keeps their per-allocation
// overhead and fragmentation well below glibc's (see the import benchmark in the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    signpost::cli::main()
}
