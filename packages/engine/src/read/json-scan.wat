;; The ValueScanner walk (json-scan.ts) in WebAssembly: the same states, the same byte classes, the same
;; results for the same calls. `json-scan.ts` stays the reference; `json-scan-wasm.ts` loads this module,
;; and json-scan-wasm.test.ts runs both on the same inputs and chunkings.
;;
;; Why: the walk touches every byte of every record; in JS it cost a quarter of a scan's CPU. Here the string
;; bodies (most of the bytes) are searched 16 bytes at a time (i8x16 compares + bitmask), and the structural
;; bytes between strings go through the same class tables as the JS loop, without bounds checks.
;;
;; Memory (filled by json-scan-wasm.ts):
;;   [0, 256)        OUT: class of a byte outside strings (json-scan.ts `OUT`)
;;   [256, 320)      ALLOWED[want << 4 | class] (json-scan.ts `ALLOWED`)
;;   [1024, 1024 + $cap)  bracket kind per open bracket (1 object, 2 array)
;;   [$buf, ...)     the caller's bytes, with 32 bytes of slack after them for 16-byte loads
;;
;; Classes (json-scan.ts `Out`): 0 space, 1 token, 2 colon, 3 quote, 4 {, 5 [, 6 }, 7 ], 8 comma, 9 bad.
;; Wants (`Want`): 0 any, 1 key, 2 colon, 3 separator.
;; Fault codes read by json-scan-wasm.ts: 1 control character in a string, 2 expected a key, 3 expected ":",
;; 4 expected "," or a closer, 5 ":" out of place, 6 unbalanced closer, 7 byte outside a string.
(module
  (memory (export "memory") 2)
  (global $depth (export "depth") (mut i32) (i32.const 0))
  (global $want (export "want") (mut i32) (i32.const 0))
  (global $inString (export "inString") (mut i32) (i32.const 0))
  (global $escaped (export "escaped") (mut i32) (i32.const 0))
  (global $isKey (export "isKey") (mut i32) (i32.const 0))
  (global $cap (export "cap") (mut i32) (i32.const 32768))
  (global $buf (export "buf") (mut i32) (i32.const 33792))
  (global $faultAt (export "faultAt") (mut i32) (i32.const -1))
  (global $faultCode (export "faultCode") (mut i32) (i32.const 0))
  ;; Where a walk stopped for a bigger stack (result -3), to be called again from there.
  (global $resumeAt (export "resumeAt") (mut i32) (i32.const 0))

  (func $begin (export "begin")
    (global.set $depth (i32.const 0))
    (global.set $want (i32.const 0))
    (global.set $inString (i32.const 0))
    (global.set $escaped (i32.const 0))
    (global.set $isKey (i32.const 0))
    (global.set $faultAt (i32.const -1))
    (global.set $faultCode (i32.const 0)))

  ;; The stack moved to a region of `cap` bytes at 1024 (json-scan-wasm.ts grows memory and copies it first).
  (func (export "setLayout") (param $cap i32) (param $buf i32)
    (global.set $cap (local.get $cap))
    (global.set $buf (local.get $buf)))

  ;; First address in [p, lim) holding a byte a string body stops at (< 0x20, '"', '\'), or lim.
  (func $special (param $p i32) (param $lim i32) (result i32)
    (local $v v128) (local $m i32)
    (block $none
      (loop $next
        (br_if $none (i32.ge_u (local.get $p) (local.get $lim)))
        (local.set $v (v128.load align=1 (local.get $p)))
        (local.set $m (i8x16.bitmask
          (v128.or
            (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
            (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20))))))
        (if (local.get $m)
          (then
            (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
            (return (select (local.get $p) (local.get $lim) (i32.lt_u (local.get $p) (local.get $lim))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (local.get $lim))

  ;; First address in [p, lim) holding '"', '\' or a line feed, or lim: the JS walk's native searches
  ;; (plainStringEnd), which decide alone whether a long plain string ends at the next quote.
  (func $quoteOrStop (param $p i32) (param $lim i32) (result i32)
    (local $v v128) (local $m i32)
    (block $none
      (loop $next
        (br_if $none (i32.ge_u (local.get $p) (local.get $lim)))
        (local.set $v (v128.load align=1 (local.get $p)))
        (local.set $m (i8x16.bitmask
          (v128.or
            (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
            (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a))))))
        (if (local.get $m)
          (then
            (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
            (return (select (local.get $p) (local.get $lim) (i32.lt_u (local.get $p) (local.get $lim))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (local.get $lim))

  ;; Reads buf[from, to) on from the state left by the last call, or as a new value with $fresh set (`begin` and
  ;; the first step in one call from JS instead of two, per record): the index after the value, -1 (more), -2
  ;; (fault: $faultAt, $faultCode), or -3 (the stack is full: grow it and call again from $resumeAt).
  ;; With $more set, memory holds only a window of the caller's bytes, which go on past `to`: where the JS walk
  ;; would look past the window, the walk stops with -4 and $resumeAt, a place where a call with the next window
  ;; gives what one call over all the bytes gives (in a string: where its current 24-byte step began).
  (func (export "scan") (param $from i32) (param $to i32) (param $more i32) (param $fresh i32) (result i32)
    (local $p i32) (local $end i32) (local $base i32)
    (local $depth i32) (local $want i32) (local $inString i32)
    (local $lim i32) (local $s i32) (local $r i32) (local $c i32) (local $k i32) (local $kind i32)
    (local $v v128) (local $m i32) (local $top i32)
    (if (local.get $fresh) (then (call $begin)))
    (local.set $base (global.get $buf))
    (local.set $p (i32.add (local.get $base) (local.get $from)))
    (local.set $end (i32.add (local.get $base) (local.get $to)))
    (local.set $depth (global.get $depth))
    (local.set $want (global.get $want))
    (local.set $inString (global.get $inString))
    ;; The byte after a backslash at the end of the last chunk, whatever it is.
    (if (i32.and (global.get $escaped) (i32.lt_u (local.get $p) (local.get $end)))
      (then
        (global.set $escaped (i32.const 0))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    (loop $outer
      (if (local.get $inString)
        (then
          (block $closed
           (block $need
            (loop $body
             (local.set $top (local.get $p))
             (block $found
              ;; The JS walk looks at up to 24 bytes one by one, then asks where the next quote, backslash and
              ;; line feed are. Same order here, so the same bytes are checked for control characters.
              ;; With 32 bytes at hand, both questions are asked of two 16-byte blocks at once: in bytes 0-23 a
              ;; control character, quote or backslash stops the string, in bytes 24-31 a quote, backslash or line
              ;; feed; past them, the next quote decides unless a backslash or line feed comes first.
              (if (i32.le_u (i32.add (local.get $p) (i32.const 32)) (local.get $end))
                (then
                  (local.set $v (v128.load align=1 (local.get $p)))
                  (local.set $m (i8x16.bitmask
                    (v128.or
                      (v128.or
                        (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                        (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
                      (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20))))))
                  (if (local.get $m)
                    (then
                      (local.set $s (i32.add (local.get $p) (i32.ctz (local.get $m))))
                      (br $found)))
                  (local.set $v (v128.load offset=16 align=1 (local.get $p)))
                  (local.set $m (i32.or
                    (i8x16.bitmask
                      (v128.or
                        (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                        (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c)))))
                    (i32.or
                      (i32.and (i8x16.bitmask (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))) (i32.const 0xff))
                      (i32.and (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a)))) (i32.const 0xff00)))))
                  (if (local.get $m)
                    (then
                      (local.set $s (i32.add (i32.add (local.get $p) (i32.const 16)) (i32.ctz (local.get $m))))
                      (br_if $found (i32.lt_u (local.get $s) (i32.add (local.get $p) (i32.const 24))))
                      (if (i32.eq (i32.load8_u (local.get $s)) (i32.const 0x22))
                        (then
                          (local.set $p (i32.add (local.get $s) (i32.const 1)))
                          (br $closed))))
                    (else
                      (local.set $r (call $quoteOrStop (i32.add (local.get $p) (i32.const 32)) (local.get $end)))
                      (if (i32.and (local.get $more) (i32.eq (local.get $r) (local.get $end))) (then (br $need)))
                      (if (i32.and (i32.lt_u (local.get $r) (local.get $end)) (i32.eq (i32.load8_u (local.get $r)) (i32.const 0x22)))
                        (then
                          (local.set $p (i32.add (local.get $r) (i32.const 1)))
                          (br $closed)))))
                  ;; A backslash or line feed past byte 24 before any quote: every byte from there is looked at.
                  (local.set $p (i32.add (local.get $p) (i32.const 24)))
                  (local.set $s (call $special (local.get $p) (local.get $end)))
                  (br_if $found (i32.lt_u (local.get $s) (local.get $end)))
                  (br_if $need (local.get $more))
                  (global.set $depth (local.get $depth))
                  (global.set $inString (i32.const 1))
                  (return (i32.const -1))))
              (local.set $lim (i32.add (local.get $p) (i32.const 24)))
              (if (i32.gt_u (local.get $lim) (local.get $end)) (then (local.set $lim (local.get $end))))
              (local.set $s (call $special (local.get $p) (local.get $lim)))
              (if (i32.eq (local.get $s) (local.get $lim))
                (then
                  (local.set $p (local.get $lim))
                  (if (i32.ge_u (local.get $p) (local.get $end))
                    (then
                      (br_if $need (local.get $more))
                      (global.set $depth (local.get $depth))
                      (global.set $inString (i32.const 1))
                      (return (i32.const -1))))
                  (local.set $r (call $quoteOrStop (local.get $p) (local.get $end)))
                  (if (i32.and (local.get $more) (i32.eq (local.get $r) (local.get $end))) (then (br $need)))
                  (if (i32.and (i32.lt_u (local.get $r) (local.get $end)) (i32.eq (i32.load8_u (local.get $r)) (i32.const 0x22)))
                    (then
                      (local.set $p (i32.add (local.get $r) (i32.const 1)))
                      (br $closed)))
                  ;; A backslash or line feed first (or no quote): the JS walk goes on 24 bytes at a time until
                  ;; it meets a byte that stops a string, which is the first such byte from here.
                  (local.set $s (call $special (local.get $p) (local.get $end)))
                  (if (i32.eq (local.get $s) (local.get $end))
                    (then
                      (br_if $need (local.get $more))
                      (global.set $depth (local.get $depth))
                      (global.set $inString (i32.const 1))
                      (return (i32.const -1)))))))
              (local.set $c (i32.load8_u (local.get $s)))
              (local.set $p (i32.add (local.get $s) (i32.const 1)))
              (br_if $closed (i32.eq (local.get $c) (i32.const 0x22)))
              (if (i32.eq (local.get $c) (i32.const 0x5c))
                (then
                  (if (i32.ge_u (local.get $p) (local.get $end))
                    (then
                      (br_if $need (local.get $more))
                      (global.set $escaped (i32.const 1))
                      (global.set $depth (local.get $depth))
                      (global.set $inString (i32.const 1))
                      (return (i32.const -1))))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br $body)))
              (global.set $faultAt (i32.sub (local.get $s) (local.get $base)))
              (global.set $faultCode (i32.const 1))
              (return (i32.const -2))))
           ;; The answer lies past the window: start this step again with the next one.
           (global.set $depth (local.get $depth))
           (global.set $inString (i32.const 1))
           (global.set $resumeAt (i32.sub (local.get $top) (local.get $base)))
           (return (i32.const -4)))
          (if (i32.eqz (local.get $depth)) (then (return (i32.sub (local.get $p) (local.get $base)))))
          ;; `":"` after a key and `,"` after a value, most of what lies between strings in a compact record, lead
          ;; straight into the next string, as the byte-by-byte steps below would.
          (if (i32.lt_u (i32.add (local.get $p) (i32.const 1)) (local.get $end))
            (then
              (local.set $c (i32.load16_u (local.get $p)))
              (if (global.get $isKey)
                (then
                  (if (i32.eq (local.get $c) (i32.const 0x223a))
                    (then
                      (local.set $p (i32.add (local.get $p) (i32.const 2)))
                      (global.set $isKey (i32.const 0))
                      (local.set $want (i32.const 0))
                      (br $outer))))
                (else
                  (if (i32.eq (local.get $c) (i32.const 0x222c))
                    (then
                      (local.set $p (i32.add (local.get $p) (i32.const 2)))
                      (global.set $isKey (i32.eq (i32.load8_u offset=1024 (i32.sub (local.get $depth) (i32.const 1))) (i32.const 1)))
                      (local.set $want (i32.const 0))
                      (br $outer)))))))
          (local.set $inString (i32.const 0))
          (local.set $want (select (i32.const 2) (i32.const 3) (global.get $isKey)))))
      ;; Outside strings.
      (if (i32.ge_u (local.get $p) (local.get $end))
        (then
          (global.set $depth (local.get $depth))
          (global.set $want (local.get $want))
          (global.set $inString (i32.const 0))
          (global.set $resumeAt (i32.sub (local.get $p) (local.get $base)))
          (return (select (i32.const -4) (i32.const -1) (local.get $more)))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $k (i32.load8_u (local.get $c)))
      (if (i32.eqz (local.get $k))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $outer)))
      (if (i32.eqz (i32.load8_u offset=256 (i32.or (i32.shl (local.get $want) (i32.const 4)) (local.get $k))))
        (then
          (global.set $faultAt (i32.sub (local.get $p) (local.get $base)))
          (global.set $faultCode
            (select (i32.const 2)
              (select (i32.const 3) (i32.const 4) (i32.eq (local.get $want) (i32.const 2)))
              (i32.eq (local.get $want) (i32.const 1))))
          (return (i32.const -2))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (block $bad
        (block $comma
          (block $close
            (block $open
              (block $quote
                (block $colon
                  (block $token
                    (br_table $bad $token $colon $quote $open $open $close $close $comma $bad (local.get $k)))
                  ;; token
                  (local.set $want (i32.const 0))
                  (br $outer))
                ;; colon: one where none was wanted, in an array or after a value
                (if (i32.ne (local.get $want) (i32.const 2))
                  (then
                    (global.set $faultAt (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $base)))
                    (global.set $faultCode (i32.const 5))
                    (return (i32.const -2))))
                (local.set $want (i32.const 0))
                (br $outer))
              ;; quote
              (local.set $inString (i32.const 1))
              (global.set $isKey (i32.eq (local.get $want) (i32.const 1)))
              (local.set $want (i32.const 0))
              (br $outer))
            ;; { or [
            (if (i32.ge_u (local.get $depth) (global.get $cap))
              (then
                ;; Stop before the bracket with the state it was read in.
                (global.set $depth (local.get $depth))
                (global.set $want (local.get $want))
                (global.set $inString (i32.const 0))
                (global.set $resumeAt (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $base)))
                (return (i32.const -3))))
            (local.set $kind (select (i32.const 1) (i32.const 2) (i32.eq (local.get $k) (i32.const 4))))
            (i32.store8 offset=1024 (local.get $depth) (local.get $kind))
            (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
            (local.set $want (select (i32.const 1) (i32.const 0) (i32.eq (local.get $k) (i32.const 4))))
            (br $outer))
          ;; } or ]
          (local.set $kind (select (i32.const 1) (i32.const 2) (i32.eq (local.get $k) (i32.const 6))))
          (if (i32.eqz (local.get $depth))
            (then
              (global.set $faultAt (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $base)))
              (global.set $faultCode (i32.const 6))
              (return (i32.const -2))))
          (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
          (if (i32.ne (i32.load8_u offset=1024 (local.get $depth)) (local.get $kind))
            (then
              (global.set $faultAt (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $base)))
              (global.set $faultCode (i32.const 6))
              (return (i32.const -2))))
          (if (i32.eqz (local.get $depth)) (then (return (i32.sub (local.get $p) (local.get $base)))))
          (local.set $want (i32.const 3))
          (br $outer))
        ;; comma
        (local.set $want
          (select (i32.const 1) (i32.const 0)
            (i32.eq (i32.load8_u offset=1024 (i32.sub (local.get $depth) (i32.const 1))) (i32.const 1))))
        (br $outer))
      ;; space never gets here; the rest is a byte that is no JSON token
      (global.set $faultAt (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $base)))
      (global.set $faultCode (i32.const 7))
      (return (i32.const -2)))
    (unreachable))
)
