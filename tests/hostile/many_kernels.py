@compile
def k0(x: int) -> int:
    return x + 0

@compile
def k1(x: int) -> int:
    return x + 1

@compile
def k2(x: int) -> int:
    return x + 2

@compile
def k3(x: int) -> int:
    return x + 3

@compile
def k4(x: int) -> int:
    return x + 4

@compile
def k5(x: int) -> int:
    return x + 5

@compile
def k6(x: int) -> int:
    return x + 6

@compile
def k7(x: int) -> int:
    return x + 7

@compile
def k8(x: int) -> int:
    return x + 8

@compile
def k9(x: int) -> int:
    return x + 9

@compile
def k10(x: int) -> int:
    return x + 10

@compile
def k11(x: int) -> int:
    return x + 11

@compile
def k12(x: int) -> int:
    return x + 12

@compile
def k13(x: int) -> int:
    return x + 13

@compile
def k14(x: int) -> int:
    return x + 14

@compile
def k15(x: int) -> int:
    return x + 15

@compile
def k16(x: int) -> int:
    return x + 16

@compile
def k17(x: int) -> int:
    return x + 17

@compile
def k18(x: int) -> int:
    return x + 18

@compile
def k19(x: int) -> int:
    return x + 19

@compile
def k20(x: int) -> int:
    return x + 20

@compile
def k21(x: int) -> int:
    return x + 21

@compile
def k22(x: int) -> int:
    return x + 22

@compile
def k23(x: int) -> int:
    return x + 23

@compile
def k24(x: int) -> int:
    return x + 24

@compile
def k25(x: int) -> int:
    return x + 25

@compile
def k26(x: int) -> int:
    return x + 26

@compile
def k27(x: int) -> int:
    return x + 27

@compile
def k28(x: int) -> int:
    return x + 28

@compile
def k29(x: int) -> int:
    return x + 29

@compile
def k30(x: int) -> int:
    return x + 30

@compile
def k31(x: int) -> int:
    return x + 31

@compile
def k32(x: int) -> int:
    return x + 32

@compile
def k33(x: int) -> int:
    return x + 33

@compile
def k34(x: int) -> int:
    return x + 34

@compile
def k35(x: int) -> int:
    return x + 35

@compile
def k36(x: int) -> int:
    return x + 36

@compile
def k37(x: int) -> int:
    return x + 37

@compile
def k38(x: int) -> int:
    return x + 38

@compile
def k39(x: int) -> int:
    return x + 39

@compile
def k40(x: int) -> int:
    return x + 40

@compile
def k41(x: int) -> int:
    return x + 41

@compile
def k42(x: int) -> int:
    return x + 42

@compile
def k43(x: int) -> int:
    return x + 43

@compile
def k44(x: int) -> int:
    return x + 44

@compile
def k45(x: int) -> int:
    return x + 45

@compile
def k46(x: int) -> int:
    return x + 46

@compile
def k47(x: int) -> int:
    return x + 47

@compile
def k48(x: int) -> int:
    return x + 48

@compile
def k49(x: int) -> int:
    return x + 49

@compile
def k50(x: int) -> int:
    return x + 50

@compile
def k51(x: int) -> int:
    return x + 51

@compile
def k52(x: int) -> int:
    return x + 52

@compile
def k53(x: int) -> int:
    return x + 53

@compile
def k54(x: int) -> int:
    return x + 54

@compile
def k55(x: int) -> int:
    return x + 55

@compile
def k56(x: int) -> int:
    return x + 56

@compile
def k57(x: int) -> int:
    return x + 57

@compile
def k58(x: int) -> int:
    return x + 58

@compile
def k59(x: int) -> int:
    return x + 59

@compile
def k60(x: int) -> int:
    return x + 60

@compile
def k61(x: int) -> int:
    return x + 61

@compile
def k62(x: int) -> int:
    return x + 62

@compile
def k63(x: int) -> int:
    return x + 63

@compile
def k64(x: int) -> int:
    return x + 64

@compile
def k65(x: int) -> int:
    return x + 65

@compile
def k66(x: int) -> int:
    return x + 66

@compile
def k67(x: int) -> int:
    return x + 67

@compile
def k68(x: int) -> int:
    return x + 68

@compile
def k69(x: int) -> int:
    return x + 69

@compile
def k70(x: int) -> int:
    return x + 70

@compile
def k71(x: int) -> int:
    return x + 71

@compile
def k72(x: int) -> int:
    return x + 72

@compile
def k73(x: int) -> int:
    return x + 73

@compile
def k74(x: int) -> int:
    return x + 74

@compile
def k75(x: int) -> int:
    return x + 75

@compile
def k76(x: int) -> int:
    return x + 76

@compile
def k77(x: int) -> int:
    return x + 77

@compile
def k78(x: int) -> int:
    return x + 78

@compile
def k79(x: int) -> int:
    return x + 79

@compile
def k80(x: int) -> int:
    return x + 80

@compile
def k81(x: int) -> int:
    return x + 81

@compile
def k82(x: int) -> int:
    return x + 82

@compile
def k83(x: int) -> int:
    return x + 83

@compile
def k84(x: int) -> int:
    return x + 84

@compile
def k85(x: int) -> int:
    return x + 85

@compile
def k86(x: int) -> int:
    return x + 86

@compile
def k87(x: int) -> int:
    return x + 87

@compile
def k88(x: int) -> int:
    return x + 88

@compile
def k89(x: int) -> int:
    return x + 89

@compile
def k90(x: int) -> int:
    return x + 90

@compile
def k91(x: int) -> int:
    return x + 91

@compile
def k92(x: int) -> int:
    return x + 92

@compile
def k93(x: int) -> int:
    return x + 93

@compile
def k94(x: int) -> int:
    return x + 94

@compile
def k95(x: int) -> int:
    return x + 95

@compile
def k96(x: int) -> int:
    return x + 96

@compile
def k97(x: int) -> int:
    return x + 97

@compile
def k98(x: int) -> int:
    return x + 98

@compile
def k99(x: int) -> int:
    return x + 99

@compile
def k100(x: int) -> int:
    return x + 100

@compile
def k101(x: int) -> int:
    return x + 101

@compile
def k102(x: int) -> int:
    return x + 102

@compile
def k103(x: int) -> int:
    return x + 103

@compile
def k104(x: int) -> int:
    return x + 104

@compile
def k105(x: int) -> int:
    return x + 105

@compile
def k106(x: int) -> int:
    return x + 106

@compile
def k107(x: int) -> int:
    return x + 107

@compile
def k108(x: int) -> int:
    return x + 108

@compile
def k109(x: int) -> int:
    return x + 109

@compile
def k110(x: int) -> int:
    return x + 110

@compile
def k111(x: int) -> int:
    return x + 111

@compile
def k112(x: int) -> int:
    return x + 112

@compile
def k113(x: int) -> int:
    return x + 113

@compile
def k114(x: int) -> int:
    return x + 114

@compile
def k115(x: int) -> int:
    return x + 115

@compile
def k116(x: int) -> int:
    return x + 116

@compile
def k117(x: int) -> int:
    return x + 117

@compile
def k118(x: int) -> int:
    return x + 118

@compile
def k119(x: int) -> int:
    return x + 119

@compile
def k120(x: int) -> int:
    return x + 120

@compile
def k121(x: int) -> int:
    return x + 121

@compile
def k122(x: int) -> int:
    return x + 122

@compile
def k123(x: int) -> int:
    return x + 123

@compile
def k124(x: int) -> int:
    return x + 124

@compile
def k125(x: int) -> int:
    return x + 125

@compile
def k126(x: int) -> int:
    return x + 126

@compile
def k127(x: int) -> int:
    return x + 127

@compile
def k128(x: int) -> int:
    return x + 128

@compile
def k129(x: int) -> int:
    return x + 129

@compile
def k130(x: int) -> int:
    return x + 130

@compile
def k131(x: int) -> int:
    return x + 131

@compile
def k132(x: int) -> int:
    return x + 132

@compile
def k133(x: int) -> int:
    return x + 133

@compile
def k134(x: int) -> int:
    return x + 134

@compile
def k135(x: int) -> int:
    return x + 135

@compile
def k136(x: int) -> int:
    return x + 136

@compile
def k137(x: int) -> int:
    return x + 137

@compile
def k138(x: int) -> int:
    return x + 138

@compile
def k139(x: int) -> int:
    return x + 139

@compile
def k140(x: int) -> int:
    return x + 140

@compile
def k141(x: int) -> int:
    return x + 141

@compile
def k142(x: int) -> int:
    return x + 142

@compile
def k143(x: int) -> int:
    return x + 143

@compile
def k144(x: int) -> int:
    return x + 144

@compile
def k145(x: int) -> int:
    return x + 145

@compile
def k146(x: int) -> int:
    return x + 146

@compile
def k147(x: int) -> int:
    return x + 147

@compile
def k148(x: int) -> int:
    return x + 148

@compile
def k149(x: int) -> int:
    return x + 149

@compile
def k150(x: int) -> int:
    return x + 150

@compile
def k151(x: int) -> int:
    return x + 151

@compile
def k152(x: int) -> int:
    return x + 152

@compile
def k153(x: int) -> int:
    return x + 153

@compile
def k154(x: int) -> int:
    return x + 154

@compile
def k155(x: int) -> int:
    return x + 155

@compile
def k156(x: int) -> int:
    return x + 156

@compile
def k157(x: int) -> int:
    return x + 157

@compile
def k158(x: int) -> int:
    return x + 158

@compile
def k159(x: int) -> int:
    return x + 159

@compile
def k160(x: int) -> int:
    return x + 160

@compile
def k161(x: int) -> int:
    return x + 161

@compile
def k162(x: int) -> int:
    return x + 162

@compile
def k163(x: int) -> int:
    return x + 163

@compile
def k164(x: int) -> int:
    return x + 164

@compile
def k165(x: int) -> int:
    return x + 165

@compile
def k166(x: int) -> int:
    return x + 166

@compile
def k167(x: int) -> int:
    return x + 167

@compile
def k168(x: int) -> int:
    return x + 168

@compile
def k169(x: int) -> int:
    return x + 169

@compile
def k170(x: int) -> int:
    return x + 170

@compile
def k171(x: int) -> int:
    return x + 171

@compile
def k172(x: int) -> int:
    return x + 172

@compile
def k173(x: int) -> int:
    return x + 173

@compile
def k174(x: int) -> int:
    return x + 174

@compile
def k175(x: int) -> int:
    return x + 175

@compile
def k176(x: int) -> int:
    return x + 176

@compile
def k177(x: int) -> int:
    return x + 177

@compile
def k178(x: int) -> int:
    return x + 178

@compile
def k179(x: int) -> int:
    return x + 179

@compile
def k180(x: int) -> int:
    return x + 180

@compile
def k181(x: int) -> int:
    return x + 181

@compile
def k182(x: int) -> int:
    return x + 182

@compile
def k183(x: int) -> int:
    return x + 183

@compile
def k184(x: int) -> int:
    return x + 184

@compile
def k185(x: int) -> int:
    return x + 185

@compile
def k186(x: int) -> int:
    return x + 186

@compile
def k187(x: int) -> int:
    return x + 187

@compile
def k188(x: int) -> int:
    return x + 188

@compile
def k189(x: int) -> int:
    return x + 189

@compile
def k190(x: int) -> int:
    return x + 190

@compile
def k191(x: int) -> int:
    return x + 191

@compile
def k192(x: int) -> int:
    return x + 192

@compile
def k193(x: int) -> int:
    return x + 193

@compile
def k194(x: int) -> int:
    return x + 194

@compile
def k195(x: int) -> int:
    return x + 195

@compile
def k196(x: int) -> int:
    return x + 196

@compile
def k197(x: int) -> int:
    return x + 197

@compile
def k198(x: int) -> int:
    return x + 198

@compile
def k199(x: int) -> int:
    return x + 199

@compile
def k200(x: int) -> int:
    return x + 200

@compile
def k201(x: int) -> int:
    return x + 201

@compile
def k202(x: int) -> int:
    return x + 202

@compile
def k203(x: int) -> int:
    return x + 203

@compile
def k204(x: int) -> int:
    return x + 204

@compile
def k205(x: int) -> int:
    return x + 205

@compile
def k206(x: int) -> int:
    return x + 206

@compile
def k207(x: int) -> int:
    return x + 207

@compile
def k208(x: int) -> int:
    return x + 208

@compile
def k209(x: int) -> int:
    return x + 209

@compile
def k210(x: int) -> int:
    return x + 210

@compile
def k211(x: int) -> int:
    return x + 211

@compile
def k212(x: int) -> int:
    return x + 212

@compile
def k213(x: int) -> int:
    return x + 213

@compile
def k214(x: int) -> int:
    return x + 214

@compile
def k215(x: int) -> int:
    return x + 215

@compile
def k216(x: int) -> int:
    return x + 216

@compile
def k217(x: int) -> int:
    return x + 217

@compile
def k218(x: int) -> int:
    return x + 218

@compile
def k219(x: int) -> int:
    return x + 219

@compile
def k220(x: int) -> int:
    return x + 220

@compile
def k221(x: int) -> int:
    return x + 221

@compile
def k222(x: int) -> int:
    return x + 222

@compile
def k223(x: int) -> int:
    return x + 223

@compile
def k224(x: int) -> int:
    return x + 224

@compile
def k225(x: int) -> int:
    return x + 225

@compile
def k226(x: int) -> int:
    return x + 226

@compile
def k227(x: int) -> int:
    return x + 227

@compile
def k228(x: int) -> int:
    return x + 228

@compile
def k229(x: int) -> int:
    return x + 229

@compile
def k230(x: int) -> int:
    return x + 230

@compile
def k231(x: int) -> int:
    return x + 231

@compile
def k232(x: int) -> int:
    return x + 232

@compile
def k233(x: int) -> int:
    return x + 233

@compile
def k234(x: int) -> int:
    return x + 234

@compile
def k235(x: int) -> int:
    return x + 235

@compile
def k236(x: int) -> int:
    return x + 236

@compile
def k237(x: int) -> int:
    return x + 237

@compile
def k238(x: int) -> int:
    return x + 238

@compile
def k239(x: int) -> int:
    return x + 239

@compile
def k240(x: int) -> int:
    return x + 240

@compile
def k241(x: int) -> int:
    return x + 241

@compile
def k242(x: int) -> int:
    return x + 242

@compile
def k243(x: int) -> int:
    return x + 243

@compile
def k244(x: int) -> int:
    return x + 244

@compile
def k245(x: int) -> int:
    return x + 245

@compile
def k246(x: int) -> int:
    return x + 246

@compile
def k247(x: int) -> int:
    return x + 247

@compile
def k248(x: int) -> int:
    return x + 248

@compile
def k249(x: int) -> int:
    return x + 249

@compile
def k250(x: int) -> int:
    return x + 250

@compile
def k251(x: int) -> int:
    return x + 251

@compile
def k252(x: int) -> int:
    return x + 252

@compile
def k253(x: int) -> int:
    return x + 253

@compile
def k254(x: int) -> int:
    return x + 254

@compile
def k255(x: int) -> int:
    return x + 255

@compile
def k256(x: int) -> int:
    return x + 256

@compile
def k257(x: int) -> int:
    return x + 257

@compile
def k258(x: int) -> int:
    return x + 258

@compile
def k259(x: int) -> int:
    return x + 259

@compile
def k260(x: int) -> int:
    return x + 260

@compile
def k261(x: int) -> int:
    return x + 261

@compile
def k262(x: int) -> int:
    return x + 262

@compile
def k263(x: int) -> int:
    return x + 263

@compile
def k264(x: int) -> int:
    return x + 264

@compile
def k265(x: int) -> int:
    return x + 265

@compile
def k266(x: int) -> int:
    return x + 266

@compile
def k267(x: int) -> int:
    return x + 267

@compile
def k268(x: int) -> int:
    return x + 268

@compile
def k269(x: int) -> int:
    return x + 269

@compile
def k270(x: int) -> int:
    return x + 270

@compile
def k271(x: int) -> int:
    return x + 271

@compile
def k272(x: int) -> int:
    return x + 272

@compile
def k273(x: int) -> int:
    return x + 273

@compile
def k274(x: int) -> int:
    return x + 274

@compile
def k275(x: int) -> int:
    return x + 275

@compile
def k276(x: int) -> int:
    return x + 276

@compile
def k277(x: int) -> int:
    return x + 277

@compile
def k278(x: int) -> int:
    return x + 278

@compile
def k279(x: int) -> int:
    return x + 279

@compile
def k280(x: int) -> int:
    return x + 280

@compile
def k281(x: int) -> int:
    return x + 281

@compile
def k282(x: int) -> int:
    return x + 282

@compile
def k283(x: int) -> int:
    return x + 283

@compile
def k284(x: int) -> int:
    return x + 284

@compile
def k285(x: int) -> int:
    return x + 285

@compile
def k286(x: int) -> int:
    return x + 286

@compile
def k287(x: int) -> int:
    return x + 287

@compile
def k288(x: int) -> int:
    return x + 288

@compile
def k289(x: int) -> int:
    return x + 289

@compile
def k290(x: int) -> int:
    return x + 290

@compile
def k291(x: int) -> int:
    return x + 291

@compile
def k292(x: int) -> int:
    return x + 292

@compile
def k293(x: int) -> int:
    return x + 293

@compile
def k294(x: int) -> int:
    return x + 294

@compile
def k295(x: int) -> int:
    return x + 295

@compile
def k296(x: int) -> int:
    return x + 296

@compile
def k297(x: int) -> int:
    return x + 297

@compile
def k298(x: int) -> int:
    return x + 298

@compile
def k299(x: int) -> int:
    return x + 299

@compile
def k300(x: int) -> int:
    return x + 300

@compile
def k301(x: int) -> int:
    return x + 301

@compile
def k302(x: int) -> int:
    return x + 302

@compile
def k303(x: int) -> int:
    return x + 303

@compile
def k304(x: int) -> int:
    return x + 304

@compile
def k305(x: int) -> int:
    return x + 305

@compile
def k306(x: int) -> int:
    return x + 306

@compile
def k307(x: int) -> int:
    return x + 307

@compile
def k308(x: int) -> int:
    return x + 308

@compile
def k309(x: int) -> int:
    return x + 309

@compile
def k310(x: int) -> int:
    return x + 310

@compile
def k311(x: int) -> int:
    return x + 311

@compile
def k312(x: int) -> int:
    return x + 312

@compile
def k313(x: int) -> int:
    return x + 313

@compile
def k314(x: int) -> int:
    return x + 314

@compile
def k315(x: int) -> int:
    return x + 315

@compile
def k316(x: int) -> int:
    return x + 316

@compile
def k317(x: int) -> int:
    return x + 317

@compile
def k318(x: int) -> int:
    return x + 318

@compile
def k319(x: int) -> int:
    return x + 319

@compile
def k320(x: int) -> int:
    return x + 320

@compile
def k321(x: int) -> int:
    return x + 321

@compile
def k322(x: int) -> int:
    return x + 322

@compile
def k323(x: int) -> int:
    return x + 323

@compile
def k324(x: int) -> int:
    return x + 324

@compile
def k325(x: int) -> int:
    return x + 325

@compile
def k326(x: int) -> int:
    return x + 326

@compile
def k327(x: int) -> int:
    return x + 327

@compile
def k328(x: int) -> int:
    return x + 328

@compile
def k329(x: int) -> int:
    return x + 329

@compile
def k330(x: int) -> int:
    return x + 330

@compile
def k331(x: int) -> int:
    return x + 331

@compile
def k332(x: int) -> int:
    return x + 332

@compile
def k333(x: int) -> int:
    return x + 333

@compile
def k334(x: int) -> int:
    return x + 334

@compile
def k335(x: int) -> int:
    return x + 335

@compile
def k336(x: int) -> int:
    return x + 336

@compile
def k337(x: int) -> int:
    return x + 337

@compile
def k338(x: int) -> int:
    return x + 338

@compile
def k339(x: int) -> int:
    return x + 339

@compile
def k340(x: int) -> int:
    return x + 340

@compile
def k341(x: int) -> int:
    return x + 341

@compile
def k342(x: int) -> int:
    return x + 342

@compile
def k343(x: int) -> int:
    return x + 343

@compile
def k344(x: int) -> int:
    return x + 344

@compile
def k345(x: int) -> int:
    return x + 345

@compile
def k346(x: int) -> int:
    return x + 346

@compile
def k347(x: int) -> int:
    return x + 347

@compile
def k348(x: int) -> int:
    return x + 348

@compile
def k349(x: int) -> int:
    return x + 349

@compile
def k350(x: int) -> int:
    return x + 350

@compile
def k351(x: int) -> int:
    return x + 351

@compile
def k352(x: int) -> int:
    return x + 352

@compile
def k353(x: int) -> int:
    return x + 353

@compile
def k354(x: int) -> int:
    return x + 354

@compile
def k355(x: int) -> int:
    return x + 355

@compile
def k356(x: int) -> int:
    return x + 356

@compile
def k357(x: int) -> int:
    return x + 357

@compile
def k358(x: int) -> int:
    return x + 358

@compile
def k359(x: int) -> int:
    return x + 359

@compile
def k360(x: int) -> int:
    return x + 360

@compile
def k361(x: int) -> int:
    return x + 361

@compile
def k362(x: int) -> int:
    return x + 362

@compile
def k363(x: int) -> int:
    return x + 363

@compile
def k364(x: int) -> int:
    return x + 364

@compile
def k365(x: int) -> int:
    return x + 365

@compile
def k366(x: int) -> int:
    return x + 366

@compile
def k367(x: int) -> int:
    return x + 367

@compile
def k368(x: int) -> int:
    return x + 368

@compile
def k369(x: int) -> int:
    return x + 369

@compile
def k370(x: int) -> int:
    return x + 370

@compile
def k371(x: int) -> int:
    return x + 371

@compile
def k372(x: int) -> int:
    return x + 372

@compile
def k373(x: int) -> int:
    return x + 373

@compile
def k374(x: int) -> int:
    return x + 374

@compile
def k375(x: int) -> int:
    return x + 375

@compile
def k376(x: int) -> int:
    return x + 376

@compile
def k377(x: int) -> int:
    return x + 377

@compile
def k378(x: int) -> int:
    return x + 378

@compile
def k379(x: int) -> int:
    return x + 379

@compile
def k380(x: int) -> int:
    return x + 380

@compile
def k381(x: int) -> int:
    return x + 381

@compile
def k382(x: int) -> int:
    return x + 382

@compile
def k383(x: int) -> int:
    return x + 383

@compile
def k384(x: int) -> int:
    return x + 384

@compile
def k385(x: int) -> int:
    return x + 385

@compile
def k386(x: int) -> int:
    return x + 386

@compile
def k387(x: int) -> int:
    return x + 387

@compile
def k388(x: int) -> int:
    return x + 388

@compile
def k389(x: int) -> int:
    return x + 389

@compile
def k390(x: int) -> int:
    return x + 390

@compile
def k391(x: int) -> int:
    return x + 391

@compile
def k392(x: int) -> int:
    return x + 392

@compile
def k393(x: int) -> int:
    return x + 393

@compile
def k394(x: int) -> int:
    return x + 394

@compile
def k395(x: int) -> int:
    return x + 395

@compile
def k396(x: int) -> int:
    return x + 396

@compile
def k397(x: int) -> int:
    return x + 397

@compile
def k398(x: int) -> int:
    return x + 398

@compile
def k399(x: int) -> int:
    return x + 399

@compile
def k400(x: int) -> int:
    return x + 400

@compile
def k401(x: int) -> int:
    return x + 401

@compile
def k402(x: int) -> int:
    return x + 402

@compile
def k403(x: int) -> int:
    return x + 403

@compile
def k404(x: int) -> int:
    return x + 404

@compile
def k405(x: int) -> int:
    return x + 405

@compile
def k406(x: int) -> int:
    return x + 406

@compile
def k407(x: int) -> int:
    return x + 407

@compile
def k408(x: int) -> int:
    return x + 408

@compile
def k409(x: int) -> int:
    return x + 409

@compile
def k410(x: int) -> int:
    return x + 410

@compile
def k411(x: int) -> int:
    return x + 411

@compile
def k412(x: int) -> int:
    return x + 412

@compile
def k413(x: int) -> int:
    return x + 413

@compile
def k414(x: int) -> int:
    return x + 414

@compile
def k415(x: int) -> int:
    return x + 415

@compile
def k416(x: int) -> int:
    return x + 416

@compile
def k417(x: int) -> int:
    return x + 417

@compile
def k418(x: int) -> int:
    return x + 418

@compile
def k419(x: int) -> int:
    return x + 419

@compile
def k420(x: int) -> int:
    return x + 420

@compile
def k421(x: int) -> int:
    return x + 421

@compile
def k422(x: int) -> int:
    return x + 422

@compile
def k423(x: int) -> int:
    return x + 423

@compile
def k424(x: int) -> int:
    return x + 424

@compile
def k425(x: int) -> int:
    return x + 425

@compile
def k426(x: int) -> int:
    return x + 426

@compile
def k427(x: int) -> int:
    return x + 427

@compile
def k428(x: int) -> int:
    return x + 428

@compile
def k429(x: int) -> int:
    return x + 429

@compile
def k430(x: int) -> int:
    return x + 430

@compile
def k431(x: int) -> int:
    return x + 431

@compile
def k432(x: int) -> int:
    return x + 432

@compile
def k433(x: int) -> int:
    return x + 433

@compile
def k434(x: int) -> int:
    return x + 434

@compile
def k435(x: int) -> int:
    return x + 435

@compile
def k436(x: int) -> int:
    return x + 436

@compile
def k437(x: int) -> int:
    return x + 437

@compile
def k438(x: int) -> int:
    return x + 438

@compile
def k439(x: int) -> int:
    return x + 439

@compile
def k440(x: int) -> int:
    return x + 440

@compile
def k441(x: int) -> int:
    return x + 441

@compile
def k442(x: int) -> int:
    return x + 442

@compile
def k443(x: int) -> int:
    return x + 443

@compile
def k444(x: int) -> int:
    return x + 444

@compile
def k445(x: int) -> int:
    return x + 445

@compile
def k446(x: int) -> int:
    return x + 446

@compile
def k447(x: int) -> int:
    return x + 447

@compile
def k448(x: int) -> int:
    return x + 448

@compile
def k449(x: int) -> int:
    return x + 449

@compile
def k450(x: int) -> int:
    return x + 450

@compile
def k451(x: int) -> int:
    return x + 451

@compile
def k452(x: int) -> int:
    return x + 452

@compile
def k453(x: int) -> int:
    return x + 453

@compile
def k454(x: int) -> int:
    return x + 454

@compile
def k455(x: int) -> int:
    return x + 455

@compile
def k456(x: int) -> int:
    return x + 456

@compile
def k457(x: int) -> int:
    return x + 457

@compile
def k458(x: int) -> int:
    return x + 458

@compile
def k459(x: int) -> int:
    return x + 459

@compile
def k460(x: int) -> int:
    return x + 460

@compile
def k461(x: int) -> int:
    return x + 461

@compile
def k462(x: int) -> int:
    return x + 462

@compile
def k463(x: int) -> int:
    return x + 463

@compile
def k464(x: int) -> int:
    return x + 464

@compile
def k465(x: int) -> int:
    return x + 465

@compile
def k466(x: int) -> int:
    return x + 466

@compile
def k467(x: int) -> int:
    return x + 467

@compile
def k468(x: int) -> int:
    return x + 468

@compile
def k469(x: int) -> int:
    return x + 469

@compile
def k470(x: int) -> int:
    return x + 470

@compile
def k471(x: int) -> int:
    return x + 471

@compile
def k472(x: int) -> int:
    return x + 472

@compile
def k473(x: int) -> int:
    return x + 473

@compile
def k474(x: int) -> int:
    return x + 474

@compile
def k475(x: int) -> int:
    return x + 475

@compile
def k476(x: int) -> int:
    return x + 476

@compile
def k477(x: int) -> int:
    return x + 477

@compile
def k478(x: int) -> int:
    return x + 478

@compile
def k479(x: int) -> int:
    return x + 479

@compile
def k480(x: int) -> int:
    return x + 480

@compile
def k481(x: int) -> int:
    return x + 481

@compile
def k482(x: int) -> int:
    return x + 482

@compile
def k483(x: int) -> int:
    return x + 483

@compile
def k484(x: int) -> int:
    return x + 484

@compile
def k485(x: int) -> int:
    return x + 485

@compile
def k486(x: int) -> int:
    return x + 486

@compile
def k487(x: int) -> int:
    return x + 487

@compile
def k488(x: int) -> int:
    return x + 488

@compile
def k489(x: int) -> int:
    return x + 489

@compile
def k490(x: int) -> int:
    return x + 490

@compile
def k491(x: int) -> int:
    return x + 491

@compile
def k492(x: int) -> int:
    return x + 492

@compile
def k493(x: int) -> int:
    return x + 493

@compile
def k494(x: int) -> int:
    return x + 494

@compile
def k495(x: int) -> int:
    return x + 495

@compile
def k496(x: int) -> int:
    return x + 496

@compile
def k497(x: int) -> int:
    return x + 497

@compile
def k498(x: int) -> int:
    return x + 498

@compile
def k499(x: int) -> int:
    return x + 499

