// The two pieces of the JIT that LLVM's C API does not offer; `jit/native.rs` wraps them.
//
// 1. A code generation pipeline built once and run on many modules. The C API
//    (`LLVMTargetMachineEmitToMemoryBuffer`, MCJIT) builds LLVM's legacy codegen pass
//    manager for every module, which costs about 0.7 ms: more than half of what code
//    generation of a small kernel takes. The pass manager is made for reuse: each run
//    initializes and finalizes its per-module state (the machine module info, the MC
//    context, the object streamer).
//    The fast tier's pipeline (level 0) allocates registers with LLVM's basic
//    allocator, not the fast one: see `msp_basic_regalloc_begin`.
// 2. A loader for the object file that pipeline writes: RuntimeDyld with a section memory
//    manager, resolving undefined symbols through a callback and then the process.

#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/CodeGen/Passes.h"
#include "llvm/CodeGen/RegAllocRegistry.h"
#include "llvm/ExecutionEngine/JITSymbol.h"
#include "llvm/ExecutionEngine/RTDyldMemoryManager.h"
#include "llvm/ExecutionEngine/RuntimeDyld.h"
#include "llvm/ExecutionEngine/SectionMemoryManager.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCContext.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

using namespace llvm;

namespace {

char *copy_message(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

}  // namespace

struct MspCodegen {
  SmallVector<char, 0> object;
  raw_svector_ostream stream{object};
  legacy::PassManager passes;
};

extern "C" {

// A pipeline emitting object code for `tm`, which must outlive it. Null if the target
// cannot emit object code.
MspCodegen *msp_codegen_new(LLVMTargetMachineRef tm_ref) {
  auto *tm = reinterpret_cast<TargetMachine *>(tm_ref);
  auto cg = std::make_unique<MspCodegen>();
  MCContext *mc = nullptr;
  // The module was verified when it was built (if asked); MCJIT skips it too.
  if (tm->addPassesToEmitMC(cg->passes, mc, cg->stream, /*DisableVerify=*/true))
    return nullptr;
  return cg.release();
}

// The register allocator of level-0 pipelines built until `msp_basic_regalloc_end`:
// LLVM's basic allocator, after the live-interval analyses that the optimizing levels
// run, instead of the fast one, which keeps every value that lives across blocks in a
// stack slot (the fast tier's kernels are loops of many small blocks). Pipelines of the
// other levels are built as they would be: they use the optimizing allocator path
// already, and the allocator option is their default, the greedy one, only outside.
//
// LLVM reads the allocator from two process-wide options (`-regalloc`,
// `-optimize-regalloc`) when a pipeline is built; these set them and put them back.
// The caller holds the lock that every pipeline construction in this process takes
// (`codegen::PIPELINE_BUILD`), so no other pipeline is built meanwhile. Null if the
// options are not there (the state to pass to `msp_basic_regalloc_end` otherwise).
struct MspRegAllocState {
  using RegAllocOpt =
      cl::opt<RegisterRegAlloc::FunctionPassCtor, false, RegisterPassParser<RegisterRegAlloc>>;
  RegAllocOpt *ra;
  cl::opt<cl::boolOrDefault> *optimize;
  RegisterRegAlloc::FunctionPassCtor old_ra;
  cl::boolOrDefault old_optimize;
};

MspRegAllocState *msp_basic_regalloc_begin() {
  auto &options = cl::getRegisteredOptions();
  auto ra = options.find("regalloc");
  auto optimize = options.find("optimize-regalloc");
  if (ra == options.end() || optimize == options.end()) return nullptr;
  auto st = new MspRegAllocState;
  // LLVM 19 declares both options with these types (CodeGen/TargetPassConfig.cpp);
  // LLVM is built without RTTI, so the casts cannot be checked here.
  st->ra = static_cast<MspRegAllocState::RegAllocOpt *>(ra->second);
  st->optimize = static_cast<cl::opt<cl::boolOrDefault> *>(optimize->second);
  st->old_ra = st->ra->getValue();
  st->old_optimize = st->optimize->getValue();
  st->ra->setValue(static_cast<RegisterRegAlloc::FunctionPassCtor>(&createBasicRegisterAllocator));
  st->optimize->setValue(cl::BOU_TRUE);
  return st;
}

void msp_basic_regalloc_end(MspRegAllocState *st) {
  if (!st) return;
  st->ra->setValue(st->old_ra);
  st->optimize->setValue(st->old_optimize);
  delete st;
}

// Runs the pipeline on `module` (changing it: code generation lowers IR in place) and
// points `data`/`len` at the object file, valid until the next run or the free.
void msp_codegen_run(MspCodegen *cg, LLVMModuleRef module, const char **data, size_t *len) {
  cg->object.clear();
  cg->passes.run(*unwrap(module));
  *data = cg->object.data();
  *len = cg->object.size();
}

void msp_codegen_free(MspCodegen *cg) { delete cg; }

typedef uint64_t (*MspLookup)(void *ctx, const char *name);

}  // extern "C"

namespace {

// Undefined symbols of the object: the caller's table first, then the process.
class Resolver final : public LegacyJITSymbolResolver {
 public:
  Resolver(MspLookup lookup, void *ctx) : lookup_(lookup), ctx_(ctx) {}

  JITSymbol findSymbol(const std::string &name) override {
    if (uint64_t addr = lookup_(ctx_, name.c_str()))
      return JITSymbol(addr, JITSymbolFlags::Exported);
    if (uint64_t addr = RTDyldMemoryManager::getSymbolAddressInProcess(name))
      return JITSymbol(addr, JITSymbolFlags::Exported);
    return nullptr;
  }

  JITSymbol findSymbolInLogicalDylib(const std::string &) override { return nullptr; }

 private:
  MspLookup lookup_;
  void *ctx_;
};

}  // namespace

// Members are destroyed in reverse order: the linker, then the memory it loaded into,
// then the object file and the resolver it read.
struct MspObject {
  std::unique_ptr<Resolver> resolver;
  std::unique_ptr<MemoryBuffer> buffer;
  std::unique_ptr<object::ObjectFile> file;
  SectionMemoryManager memory;
  std::unique_ptr<RuntimeDyld> dyld;
};

extern "C" {

// Loads an object file into executable memory and resolves its relocations. On failure
// returns null and sets `*error` to a message the caller frees with `free`.
MspObject *msp_object_load(const char *data, size_t len, MspLookup lookup, void *ctx,
                           char **error) {
  *error = nullptr;
  auto obj = std::make_unique<MspObject>();
  obj->buffer = MemoryBuffer::getMemBufferCopy(StringRef(data, len), "msp-jit");
  auto file = object::ObjectFile::createObjectFile(obj->buffer->getMemBufferRef());
  if (!file) {
    *error = copy_message("cannot read the object file: " + toString(file.takeError()));
    return nullptr;
  }
  obj->file = std::move(*file);
  obj->resolver = std::make_unique<Resolver>(lookup, ctx);
  obj->dyld = std::make_unique<RuntimeDyld>(obj->memory, *obj->resolver);
  obj->dyld->loadObject(*obj->file);
  obj->dyld->resolveRelocations();
  if (obj->dyld->hasError()) {
    *error = copy_message("cannot link the object file: " + obj->dyld->getErrorString().str());
    return nullptr;
  }
  obj->dyld->registerEHFrames();
  std::string message;
  if (obj->memory.finalizeMemory(&message)) {
    *error = copy_message("cannot make the code executable: " + message);
    return nullptr;
  }
  return obj.release();
}

// The address of a symbol the object defines, or 0.
uint64_t msp_object_symbol(MspObject *obj, const char *name) {
  return obj->dyld->getSymbol(name).getAddress();
}

void msp_object_free(MspObject *obj) {
  if (obj) obj->dyld->deregisterEHFrames();
  delete obj;
}

}  // extern "C"
