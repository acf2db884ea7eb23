// rust_alloc: the tutorial's Rust example with std::alloc - allocate one
// u16 with alloc(Layout::new::<u16>()), set it to 42, release it with
// dealloc; then a larger, over-aligned Layout (256 bytes on a 64-byte
// boundary) allocated the same way and never released: libleak reports it
// with its size, its alignment and this function and line.
use std::alloc::{alloc, dealloc, Layout};

fn balanced() {
    unsafe {
        let layout = Layout::new::<u16>();
        let ptr = alloc(layout); // @u16
        if ptr.is_null() {
            std::process::abort();
        }
        *(ptr as *mut u16) = 42;
        println!("u16 = {}", *(ptr as *mut u16));
        dealloc(ptr, layout); // given back: not reported
    }
}

#[inline(never)]
fn forgotten() {
    unsafe {
        let layout = Layout::from_size_align(256, 64).unwrap();
        let ptr = alloc(layout); // @leak
        if ptr.is_null() {
            std::process::abort();
        }
        *ptr = 7;
        println!("256 bytes at a 64-byte boundary: {}", ptr as usize % 64 == 0);
        // no dealloc(ptr, layout): the block leaks
    }
}

fn main() {
    balanced();
    forgotten();
}
