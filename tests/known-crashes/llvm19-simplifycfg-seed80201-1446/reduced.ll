; ModuleID = 'h1.ll'
source_filename = "msp"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Function Attrs: nounwind
declare float @h0(float, ptr) #0

; Function Attrs: nounwind
define float @h1(double %0, ptr noalias nocapture align 4 %1, i64 %2, i64 %3, i32 %4, i32 %5, ptr %6) #0 {
entry:
  %par.c171 = alloca i64, align 8
  %par.out164 = alloca [2048 x i64], align 8
  %par.env161 = alloca [2 x i64], align 8
  %par.c = alloca i64, align 8
  %par.out = alloca [768 x i64], align 8
  %par.env = alloca [7 x i64], align 8
  %w18 = alloca i32, align 4
  %c17 = alloca i32, align 4
  %t16 = alloca float, align 4
  %i15 = alloca i8, align 1
  %r14 = alloca float, align 4
  %i13 = alloca i32, align 4
  %i12 = alloca i64, align 8
  %c11 = alloca i64, align 8
  %v10 = alloca i64, align 8
  %v9 = alloca i8, align 1
  %v8 = alloca i64, align 8
  %p6 = alloca i32, align 4
  %p5 = alloca i32, align 4
  %p4 = alloca double, align 8
  store double %0, ptr %p4, align 8
  store i32 %4, ptr %p5, align 4
  store i32 %5, ptr %p6, align 4
  store i64 0, ptr %v8, align 8
  store i8 0, ptr %v9, align 1
  store i64 0, ptr %v10, align 8
  store i64 0, ptr %c11, align 8
  store i64 0, ptr %i12, align 8
  store i32 0, ptr %i13, align 4
  store float 0.000000e+00, ptr %r14, align 4
  store i8 0, ptr %i15, align 1
  store float 0.000000e+00, ptr %t16, align 4
  store i32 0, ptr %c17, align 4
  store i32 0, ptr %w18, align 4
  store i64 -7347003209225735009, ptr %v8, align 8
  store i8 0, ptr %v9, align 1
  %v = load double, ptr %p4, align 8
  %m = call double @llvm.ceil.f64(double %v)
  %ftoi = call i64 @llvm.fptosi.sat.i64.f64(double %m)
  store i64 %ftoi, ptr %v10, align 8
  store i64 0, ptr %c11, align 8
  store i64 0, ptr %i12, align 8
  store i32 0, ptr %i13, align 4
  store float 5.625000e+00, ptr %r14, align 4
  store i8 0, ptr %i15, align 1
  store float -6.400000e+01, ptr %t16, align 4
  store i32 0, ptr %c17, align 4
  store i32 0, ptr %w18, align 4
  %call = call float @h0(float 7.000000e+00, ptr %6)
  %fault = load i32, ptr %6, align 4
  %faulted = icmp ne i32 %fault, 0
  %cold = call i1 @llvm.expect.i1(i1 %faulted, i1 false)
  %cmp = fcmp ogt float %call, 3.875000e+01
  %minmax = select i1 %cmp, float %call, float 3.875000e+01
  %cmp1 = fcmp ogt float 1.046250e+03, %minmax
  %minmax2 = select i1 %cmp1, float 1.046250e+03, float %minmax
  %fadd = fadd float 0x3FB99999A0000000, %minmax2
  %truthy = fcmp une float %fadd, 0.000000e+00
  %v65 = load double, ptr %p4, align 8
  %ftoi66 = call i32 @llvm.fptosi.sat.i32.f64(double %v65)
  %oob = icmp uge i64 1, %2
  %cold67 = call i1 @llvm.expect.i1(i1 %oob, i1 false)
  %divzero = icmp eq i64 %3, 0
  %cold71 = call i1 @llvm.expect.i1(i1 %divzero, i1 false)
  %m1 = icmp eq i64 %3, -1
  %d = select i1 %m1, i64 1, i64 %3
  %q = sdiv i64 0, %d
  %r = srem i64 0, %d
  %rnz = icmp ne i64 %r, 0
  %x = xor i64 %r, %3
  %sd = icmp slt i64 %x, 0
  %adj = and i1 %rnz, %sd
  %r1 = add i64 %r, %3
  %mod = select i1 %adj, i64 %r1, i64 %r
  %neg = icmp slt i64 %mod, 0
  %fromend = add i64 %mod, %3
  %ix = select i1 %neg, i64 %fromend, i64 %mod
  %oob73 = icmp uge i64 %ix, %3
  %cold74 = call i1 @llvm.expect.i1(i1 %oob73, i1 false)
  %row76 = mul nuw i64 1, %3
  %lin = add nuw i64 %row76, %ix
  %elem = getelementptr inbounds i32, ptr %1, i64 %lin
  %ld = load i32, ptr %elem, align 4
  %v77 = load i32, ptr %p5, align 4
  %cmp78 = icmp sgt i32 %ld, -16
  %minmax79 = select i1 %cmp78, i32 %ld, i32 -16
  %cmp80 = icmp sgt i32 %v77, %minmax79
  %minmax81 = select i1 %cmp80, i32 %v77, i32 %minmax79
  %or = or i32 %ftoi66, %minmax81
  %v82 = load i64, ptr %v8, align 8
  %pw = mul i64 %v82, %v82
  %pw83 = mul i64 %v82, %pw
  %trunc = trunc i64 %pw83 to i32
  %sub = sub i32 %or, %trunc
  %truthy84 = icmp ne i32 %sub, 0
  %v89 = load i64, ptr %v8, align 8
  %truthy90 = icmp ne i64 %v89, 0
  %divzero93 = icmp eq i64 %2, 0
  %cold94 = call i1 @llvm.expect.i1(i1 %divzero93, i1 false)
  %m196 = icmp eq i64 %2, -1
  %d97 = select i1 %m196, i64 1, i64 %2
  %q98 = sdiv i64 -7, %d97
  %r99 = srem i64 -7, %d97
  %rnz100 = icmp ne i64 %r99, 0
  %x101 = xor i64 %r99, %2
  %sd102 = icmp slt i64 %x101, 0
  %adj103 = and i1 %rnz100, %sd102
  %r1104 = add i64 %r99, %2
  %mod105 = select i1 %adj103, i64 %r1104, i64 %r99
  %neg106 = icmp slt i64 %mod105, 0
  %fromend107 = add i64 %mod105, %2
  %ix108 = select i1 %neg106, i64 %fromend107, i64 %mod105
  %oob109 = icmp uge i64 %ix108, %2
  %cold110 = call i1 @llvm.expect.i1(i1 %oob109, i1 false)
  %v112 = load i32, ptr %p6, align 4
  %truthy113 = icmp ne i32 %v112, 0
  %zext = zext i32 0 to i64
  %divzero119 = icmp eq i64 %3, 0
  %cold120 = call i1 @llvm.expect.i1(i1 %divzero119, i1 false)
  %m1122 = icmp eq i64 %3, -1
  %d123 = select i1 %m1122, i64 1, i64 %3
  %q124 = sdiv i64 %zext, %d123
  %r125 = srem i64 %zext, %d123
  %rnz126 = icmp ne i64 %r125, 0
  %x127 = xor i64 %r125, %3
  %sd128 = icmp slt i64 %x127, 0
  %adj129 = and i1 %rnz126, %sd128
  %r1130 = add i64 %r125, %3
  %mod131 = select i1 %adj129, i64 %r1130, i64 %r125
  %neg132 = icmp slt i64 %mod131, 0
  %fromend133 = add i64 %mod131, %3
  %ix134 = select i1 %neg132, i64 %fromend133, i64 %mod131
  %oob135 = icmp uge i64 %ix134, %3
  %cold136 = call i1 @llvm.expect.i1(i1 %oob135, i1 false)
  %row138 = mul nuw i64 %ix108, %3
  %lin139 = add nuw i64 %row138, %ix134
  %elem140 = getelementptr inbounds i32, ptr %1, i64 %lin139
  %ld141 = load i32, ptr %elem140, align 4
  %trunc142 = trunc i64 %2 to i16
  %sext = sext i16 %trunc142 to i32
  %xor = xor i32 1492, %sext
  %xor143 = xor i32 %ld141, %xor
  %sub144 = sub i64 %2, 2
  %neg145 = icmp slt i64 %sub144, 0
  %fromend146 = add i64 %sub144, %2
  %ix147 = select i1 %neg145, i64 %fromend146, i64 %sub144
  %oob148 = icmp uge i64 %ix147, %2
  %cold149 = call i1 @llvm.expect.i1(i1 %oob148, i1 false)
  %sub151 = sub i64 %3, 1
  %neg152 = icmp slt i64 %sub151, 0
  %fromend153 = add i64 %sub151, %3
  %ix154 = select i1 %neg152, i64 %fromend153, i64 %sub151
  %oob155 = icmp uge i64 %ix154, %3
  %cold156 = call i1 @llvm.expect.i1(i1 %oob155, i1 false)
  %row158 = mul nuw i64 %ix147, %3
  %lin159 = add nuw i64 %row158, %ix154
  %elem160 = getelementptr inbounds i32, ptr %1, i64 %lin159
  store i32 %xor143, ptr %elem160, align 4
  %slot162 = getelementptr inbounds i64, ptr %par.env161, i64 0
  store i64 2, ptr %slot162, align 8
  %slot163 = getelementptr inbounds i64, ptr %par.env161, i64 1
  store i64 128, ptr %slot163, align 8
  %chunks165 = call i64 @msp_parallel_for(ptr null, ptr %par.env161, i64 128, ptr %par.out164, i64 8, ptr %6, i64 0)
  %fault166 = load i32, ptr %6, align 4
  %faulted167 = icmp ne i32 %fault166, 0
  %cold168 = call i1 @llvm.expect.i1(i1 %faulted167, i1 false)
  store i64 0, ptr %par.c171, align 8
  %c175 = load i64, ptr %par.c171, align 8
  %more176 = icmp slt i64 %c175, %chunks165
  store i32 0, ptr %c17, align 4
  %v222 = load i32, ptr %c17, align 4
  %cmp223 = icmp ult i32 %v222, 0
  %cmp232 = icmp ult i1 false, false
  %cmp233 = icmp ult i1 false, false
  %chain = select i1 %cmp232, i1 %cmp233, i1 false
  br label %cmp.end

fault68:                                          ; preds = %ifx.then234, %ifx.else235
  %site = phi i32 [ 15, %ifx.else235 ], [ 16, %ifx.then234 ]
  store i32 %site, ptr %6, align 4
  %fv = getelementptr inbounds i64, ptr %6, i64 1
  store i64 0, ptr %fv, align 8
  %fv69 = getelementptr inbounds i64, ptr %6, i64 2
  store i64 0, ptr %fv69, align 8
  ret float 0.000000e+00

cmp.end:                                          ; preds = %entry
  br i1 %chain, label %ifx.then234, label %ifx.else235

ifx.then234:                                      ; preds = %cmp.end
  %v237 = load i8, ptr %v9, align 1
  %v238 = load i32, ptr %p6, align 4
  %and239 = and i32 %v238, 127
  %big240 = icmp uge i32 %and239, 8
  %cnt241 = trunc i32 %and239 to i8
  %amt242 = select i1 %big240, i8 7, i8 %cnt241
  %shl243 = shl i8 %v237, %amt242
  %shl244 = select i1 %big240, i8 0, i8 %shl243
  %cmp245 = icmp ult i8 %shl244, 0
  %v252 = load i32, ptr %c17, align 4
  %add253 = add i32 %v252, 1
  store i32 %add253, ptr %c17, align 4
  store i32 0, ptr %w18, align 4
  %v260 = load i32, ptr %w18, align 4
  %cmp261 = icmp slt i32 %v260, 4
  %v263 = load double, ptr %p4, align 8
  %isnan = fcmp uno double %v263, %v263
  %v265 = load i32, ptr %w18, align 4
  %add266 = add i32 %v265, 1
  store i32 %add266, ptr %w18, align 4
  %v268 = load i64, ptr %i12, align 8
  %itof269 = sitofp i64 %v268 to double
  %cmp270 = fcmp olt double %itof269, 8.750000e-01
  %or273 = or i1 %cmp270, false
  %divzero276 = icmp eq i64 %2, 0
  %cold277 = call i1 @llvm.expect.i1(i1 %divzero276, i1 false)
  br label %fault68

ifx.else235:                                      ; preds = %cmp.end
  %cold246 = call i1 @llvm.expect.i1(i1 true, i1 false)
  br label %fault68

}

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare i32 @llvm.fptosi.sat.i32.f32(float) #1

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.ceil.f64(double) #1

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare i64 @llvm.fptosi.sat.i64.f64(double) #1

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(none)
declare i1 @llvm.expect.i1(i1, i1) #2

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare float @llvm.ceil.f32(float) #1

declare i64 @msp_parallel_for(ptr, ptr, i64, ptr, i64, ptr, i64)

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare i32 @llvm.fptosi.sat.i32.f64(double) #1


attributes #0 = { nounwind "target-cpu"="znver3" "target-features"="+prfchw,-cldemote,+avx,+aes,+sahf,+pclmul,-xop,+crc32,+xsaves,-avx512fp16,-usermsr,-sm4,-egpr,+sse4.1,-avx512ifma,+xsave,+sse4.2,-tsxldtrk,-sm3,-ptwrite,-widekl,+invpcid,+64bit,+xsavec,-avx10.1-512,-avx512vpopcntdq,+cmov,-avx512vp2intersect,-avx512cd,+movbe,-avxvnniint8,-ccmp,-amx-int8,-kl,-avx10.1-256,-sha512,-avxvnni,-rtm,+adx,+avx2,-hreset,-movdiri,-serialize,+vpclmulqdq,-avx512vl,-uintr,-cf,+clflushopt,-raoint,-cmpccxadd,+bmi,-amx-tile,+sse,-gfni,-avxvnniint16,-amx-fp16,-ndd,+xsaveopt,+rdrnd,-avx512f,-amx-bf16,-avx512bf16,-avx512vnni,-push2pop2,+cx8,-avx512bw,+sse3,+pku,+fsgsbase,+clzero,-mwaitx,-lwp,+lzcnt,+sha,-movdir64b,-ppx,+wbnoinvd,-enqcmd,-avxneconvert,-tbm,-pconfig,-amx-complex,+ssse3,+cx16,+bmi2,+fma,+popcnt,-avxifma,+f16c,-avx512bitalg,-rdpru,+clwb,+mmx,+sse2,+rdseed,-avx512vbmi2,-prefetchi,+rdpid,-fma4,-avx512vbmi,+shstk,+vaes,-waitpkg,-sgx,+fxsr,-avx512dq,+sse4a" }
attributes #1 = { nocallback nofree nosync nounwind speculatable willreturn memory(none) }
attributes #2 = { nocallback nofree nosync nounwind willreturn memory(none) }
