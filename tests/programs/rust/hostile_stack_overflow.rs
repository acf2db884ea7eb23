// hostile_stack_overflow: a Rust program that leaks a 33-byte Vec, then
// overflows its stack.  Rust's standard library puts its own SIGSEGV
// handler where it finds SIG_DFL; it prints "has overflowed its stack" and
// aborts.  Under libleak the same happens, and the report comes at SIGABRT.
#[inline(never)]
fn forgotten() {
    let v: Vec<u8> = vec![7; 33]; // @leak
    std::mem::forget(v);
}

#[inline(never)]
fn deeper(n: u64) -> u64 {
    let frame = [n; 512];
    if n == 0 {
        0
    } else {
        frame[(n % 512) as usize] + deeper(n - 1)
    }
}

fn main() {
    forgotten();
    let n: u64 = std::env::args().count() as u64 * 1_000_000_000;
    println!("{}", deeper(n));
}
