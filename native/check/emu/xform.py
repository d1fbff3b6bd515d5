# Turns kernel<<<grid, block, smem, stream>>>(args); into emu::launch(dim3(grid), dim3(block), [&] { kernel(args); });
# and writes the .cu files of native/cuda as .cpp into the output folder (see run.sh).
import re, sys, os
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for f in os.listdir(src):
    if not (f.endswith('.cu') or f.endswith('.cuh') or f.endswith('.h')): continue
    s = open(os.path.join(src, f)).read()
    pat = re.compile(r'([A-Za-z_]\w*(?:<[^<>;]*>)?)<<<(.*?)>>>\((.*?)\);', re.S)
    def rep(m):
        k, cfg, args = m.group(1), m.group(2), m.group(3)
        parts=[]; depth=0; cur=''
        for ch in cfg:
            if ch=='(' : depth+=1
            if ch==')' : depth-=1
            if ch==',' and depth==0: parts.append(cur.strip()); cur=''
            else: cur+=ch
        parts.append(cur.strip())
        return 'emu::launch(dim3(%s), dim3(%s), [&] { %s(%s); });' % (parts[0], parts[1], k, args)
    s = pat.sub(rep, s)
    out = f[:-3] + '.cpp' if f.endswith('.cu') else f
    open(os.path.join(dst, out), 'w').write(s)
