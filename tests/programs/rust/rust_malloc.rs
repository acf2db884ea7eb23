// rust_malloc: the tutorial's first example in Rust - libc's malloc and
// free declared by hand through extern "C".  One i32 is freed; a second
// one is forgotten and reported as 4 bytes definitely lost in this
// function, at the malloc line.
use std::mem::size_of;

extern "C" {
    fn malloc(size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
}

fn balanced() {
    unsafe {
        let p = malloc(size_of::<i32>()) as *mut i32;
        if p.is_null() {
            std::process::abort();
        }
        *p = 42;
        println!("*p = {}", *p);
        free(p as *mut u8); // given back: not reported
    }
}

#[inline(never)]
fn forgotten() {
    unsafe {
        let p = malloc(size_of::<i32>()) as *mut i32; // @leak
        if p.is_null() {
            std::process::abort();
        }
        *p = 42;
        println!("*p = {} (never freed)", *p);
    }
}

fn main() {
    balanced();
    forgotten();
}
