"""Chinese for the text the course prints (``t()`` keys are the English). Terms: ../shared/GLOSSARY_zh.md."""

ZH = {
    # the setup cell's banner (course_utils.config)
    "Course mode : {mode}  ({reason})": "课程模式：{mode}（{reason}）",
    "Device      : {device}": "设备：{device}",
    "  (no GPU found)": "（未找到 GPU）",
    "Dtype       : {dtype}  ({reason})": "数据类型：{dtype}（{reason}）",
    "Libraries   : ": "库版本：",
    "set by COURSE_DTYPE": "由 COURSE_DTYPE 设定",
    "the default: float16 on cuda, float32 elsewhere": "默认值：cuda 上为 float16，其他设备上为 float32",
    "COURSE_MODE={mode}, the former name of {new}": "COURSE_MODE={mode}，即 {new} 的旧名称",
    "COURSE_MODE=auto and no GPU, so using mini mode; set COURSE_MODE=full to run SD v1.5 on the CPU anyway":
        "COURSE_MODE=auto 且没有 GPU，因此使用迷你模式；如仍想在 CPU 上运行 SD v1.5，请设置 COURSE_MODE=full",
    "COURSE_MODE={mode}, SD v1.5 weights found in the local cache": "COURSE_MODE={mode}，已在本地缓存中找到 SD v1.5 的权重",
    "COURSE_MODE={mode}, model hub reachable": "COURSE_MODE={mode}，可以连接模型中心（Hugging Face Hub）",
    "offline mode was asked for (HF_HUB_OFFLINE=1)": "已要求离线模式（HF_HUB_OFFLINE=1）",
    "the model hub is unreachable": "无法连接模型中心",
    "COURSE_MODE=auto and {why}, so using mini mode": "COURSE_MODE=auto 且{why}，因此使用迷你模式",
    "No GPU: in Colab choose Runtime > Change runtime type > T4 GPU, then run this cell again. Full mode on a CPU "
    "works but takes minutes per image.":
        "没有 GPU：在 Colab 中依次选择“代码执行程序 > 更改运行时类型 > T4 GPU”，然后重新运行本单元。"
        "完整模式也能在 CPU 上运行，但每张图要花几分钟。",
    "MINI MODE: a miniature Stable Diffusion with SD v1's design (CLIP text encoder, VAE x8 with 4 latent channels, "
    "UNet with cross-attention, 77-token prompts), trained by this course on 4,500 of 5,000 real handwritten digits (MNIST; "
    "the other 500 are kept for testing) and shipped with it. It draws 64x64 digits in an ink colour on a background colour (\"a red seven on a blue "
    "background\"), not photos; notebook 02 uses the same digits, white on black, in place of Fashion-MNIST.":
        "迷你模式：一个与 SD v1 设计相同的微型 Stable Diffusion（CLIP 文本编码器、缩小 8 倍且有 4 个潜在通道的 VAE、"
        "带交叉注意力的 UNet、77 个词元的提示词），由本课程在 5,000 张真实手写数字（MNIST）中的 4,500 张上训练（另外 500 张留作测试），并随课程一同发布。"
        "它画的是 64×64 的数字，用一种墨色写在一种背景色上（“a red seven on a blue background”，即蓝色背景上的红色数字 7），"
        "而不是照片；第 02 课用同样的数字（黑底白字）代替 Fashion-MNIST。",
    # exercise verdicts (course_utils.checks.verdicts)
    "… {name}: not attempted yet. Fill in the function above and run this cell again.":
        "… {name}：尚未作答。请补全上面的函数，再运行本单元。",
    "✗ {name}: not quite. {hint}": "✗ {name}：还不对。{hint}",
    "✗ {name}: your function raised {error}: {message}": "✗ {name}：你的函数抛出了 {error}：{message}",
    "✓ {name}: correct. Well done!": "✓ {name}：正确，做得好！",
    # notebook 01, noise schedules (notebooks/01_noise_schedules.ipynb)
    "StableDiffusionPipeline's default num_inference_steps:": "StableDiffusionPipeline 默认的 num_inference_steps：",
    "range [{low:.2f}, {high:.2f}]": "取值范围 [{low:.2f}, {high:.2f}]",
    "Adding noise one step at a time": "一步一步地加噪声",
    "after {steps} steps: mean {mean:+.3f}, std {std:.3f} (pure noise has mean 0, std 1)":
        "{steps} 步之后：均值 {mean:+.3f}，标准差 {std:.3f}（纯噪声的均值为 0，标准差为 1）",
    "correlation of x_999 with the photo: {correlation:+.3f}": "x_999 与照片的相关系数：{correlation:+.3f}",
    "√ᾱ_999 = {signal:.4f}: correlation of x_999 with the photo {raw:.3f}, after 16×16 averaging {averaged:.3f} "
    "(pure noise, averaged: {baseline:+.3f}); mean of 32 draws":
        "√ᾱ_999 = {signal:.4f}：x_999 与照片的相关系数 {raw:.3f}，16×16 块平均后 {averaged:.3f}"
        "（纯噪声同样平均后：{baseline:+.3f}）；32 次抽样的平均",
    "make_betas_by_hand == DDPMScheduler.betas == schedules.make_betas for {kinds}":
        "make_betas_by_hand == DDPMScheduler.betas == schedules.make_betas，对 {kinds} 均成立",
    "largest |ᾱ from betas − f(t)/f(0)| before the last step: {largest:.1e}; last step: {last:.1e} (capped β) "
    "vs {exact:.1e}":
        "最后一步之前，|由 β 算出的 ᾱ − f(t)/f(0)| 的最大值：{largest:.1e}；最后一步：{last:.1e}（β 经过截断），"
        "而 f(t)/f(0) 为 {exact:.1e}",
    "uncapped": "不截断",  # the same number of Chinese characters as the next, so the printed columns line up
    "capped at 0.999": "截断于 0.999",
    r"$\beta_t$ (noise added at step t)": "βₜ（第 t 步加入的噪声）",  # no $…$: matplotlib's maths fonts lack Chinese
    r"$\bar\alpha_t$ (signal left after step t)": "ᾱₜ（第 t 步之后剩下的信号）",
    "timestep t (diffusers: 0 … 999)": "时间步 t（diffusers：0 … 999）",
    "ᾱ at timestep 499:": "时间步 499 处的 ᾱ：",
    "ᾱ at timestep 999:": "时间步 999 处的 ᾱ：",
    "add_noise_by_hand equals DDPMScheduler.add_noise for {kinds}":
        "add_noise_by_hand 与 DDPMScheduler.add_noise 结果相同，对 {kinds} 均成立",
    "Closed form, SD v1's scaled_linear schedule": "闭式公式，SD v1 的 scaled_linear 调度",
    "max |x0 - recovered| per timestep:": "每个时间步的 max |x0 - recovered|：",
    "mean of rand_like: {uniform_mean:.3f} (smallest {uniform_min:.3f}), mean of randn_like: {gaussian_mean:+.3f}":
        "rand_like 的均值：{uniform_mean:.3f}（最小值 {uniform_min:.3f}），randn_like 的均值：{gaussian_mean:+.3f}",
    "mean pixel at t=600 — photo: {photo:+.3f}, with rand: {rand:+.3f}, with randn: {randn:+.3f}":
        "t=600 时的像素均值——照片：{photo:+.3f}，用 rand：{rand:+.3f}，用 randn：{randn:+.3f}",
    "t=600, rand (drifts bright)": "t=600，rand（整体偏亮）",
    "{kind:18s} SNR falls below 1 at timestep {crossing}; SNR(999) = {last:.1e}":
        "{kind:18s} 在时间步 {crossing} 处 SNR 降到 1 以下；SNR(999) = {last:.1e}",
    "Signal-to-noise ratio": "信噪比",
    "{kind:18s} ᾱ_T = {abar_T:.2e}   L_T per pixel value = {L_T:.2e}":
        "{kind:18s} ᾱ_T = {abar_T:.2e}   每个像素值的 L_T = {L_T:.2e}",
    "one reverse step by hand equals DDPMScheduler.step": "亲手算出的一步反向过程与 DDPMScheduler.step 结果相同",
    "noise standard deviation: {now:.4f} at timestep {t}, {later:.4f} one step later":
        "噪声标准差：时间步 {t} 处为 {now:.4f}，一步之后为 {later:.4f}",
    "x_{step} (one step)": "x_{step}（走了一步）",
    "x₀ predicted from ε": "由 ε 预测的 x₀",
    "schedule": "调度",
    "DDPMScheduler.get_velocity equals √ᾱ·ε − √(1−ᾱ)·x₀": "DDPMScheduler.get_velocity 等于 √ᾱ·ε − √(1−ᾱ)·x₀",
    # notebook 02, a class-conditioned UNet (notebooks/02_class_conditioned_unet.ipynb)
    "mode {mode}: recipe {name!r} — {channels} channels, batch {batch_size}, {num_steps} steps, lr {lr:g}, "
    "{sampler} {sampling_steps} steps":
        "模式 {mode}：配方 {name!r}——通道数 {channels}，批大小 {batch_size}，{num_steps} 步，学习率 {lr:g}，"
        "{sampler} 采样 {sampling_steps} 步",
    "label_dropout {label_dropout}; checkpoints in {folder} every {every} steps; guidance scales compared: {scales}":
        "label_dropout {label_dropout}；每 {every} 步把检查点存入 {folder}；比较的引导比例：{scales}",
    "{train:,} training and {test:,} test images, each {width}×{height} pixels, mode {mode!r} (grayscale), "
    "{classes} classes:":
        "{train:,} 张训练图像和 {test:,} 张测试图像，每张 {width}×{height} 像素，模式 {mode!r}（灰度），"
        "共 {classes} 个类别：",
    "training images": "训练图像",
    "in [{low:.0f}, {high:.0f}]": "取值在 [{low:.0f}, {high:.0f}] 内",
    "the {name} recipe's UNet has {levels} levels": "{name} 配方的 UNet 有 {levels} 个层级",
    "works": "可以运行",
    "fails: the sizes on the way up do not match the skip connections": "失败：上行路径上的尺寸与跳跃连接对不上",
    "{levels} levels, {side}×{side} input: {verdict}": "{levels} 个层级，{side}×{side} 的输入：{verdict}",
    "flipped": "已翻转",
    "not flipped": "未翻转",
    "Real training images (top) and after a random flip (bottom)": "真实训练图像（上）与随机翻转之后（下）",
    "recipe {name!r} trains with flip={flip}": "配方 {name!r} 训练时 flip={flip}",
    "UNet2DModel with {parameters:,} parameters; blocks {blocks}; time_proj size {size}":
        "UNet2DModel 共 {parameters:,} 个参数；模块 {blocks}；time_proj 维数 {size}",
    "timestep t": "时间步 t",
    "embedding dimension": "嵌入维度",
    "Sinusoidal embedding, d = 64": "正弦嵌入，d = 64",
    "dim {i}": "第 {i} 维",
    "A few dimensions: fast and slow waves": "其中几个维度：有快波，也有慢波",
    "all {n} ResBlocks received SiLU(MLP(emb(t)) + E[y])": "全部 {n} 个残差块都收到了 SiLU(MLP(emb(t)) + E[y])",
    "changing only the labels changes the output by up to {change:.3f}": "只改变标签，输出最多改变 {change:.3f}",
    "t = {t:3d}: cos(ε target, input x_t) = {e:5.2f}   cos(v target, −x₀) = {v:5.2f}":
        "t = {t:3d}：cos(ε 目标, 输入 x_t) = {e:5.2f}   cos(v 目标, −x₀) = {v:5.2f}",
    "weight of t = 0: {w0:.4f} (v), t = 500: {w500:.3f}, t = 999: {w999:.2e}":
        "权重：t = 0 时为 {w0:.4f}（v），t = 500 时为 {w500:.3f}，t = 999 时为 {w999:.2e}",
    "{name:>13}: the 100 least noisy timesteps get {value:.1%} of the weight":
        "{name:>13}：噪声最少的 100 个时间步占了 {value:.1%} 的权重",
    "Signal-to-noise ratio ({schedule} betas)": "信噪比（{schedule} β 调度）",
    "ε-prediction: min(SNR, γ)/SNR": "ε 预测：min(SNR, γ)/SNR",
    "v-prediction: min(SNR, γ)/(SNR+1)": "v 预测：min(SNR, γ)/(SNR+1)",
    "loss weight": "损失权重",
    "min-SNR-γ weights": "min-SNR-γ 权重",
    "jitter (std over the last 500 steps): the weight {raw:.3f}, its average {averaged:.4f}":
        "抖动（最后 500 步的标准差）：权重本身 {raw:.3f}，它的平均值 {averaged:.4f}",
    "δ_n at the run's last update, n = {n}: {decay_n:.5f} (δ = {decay}), an average over about {span:.0f} steps, "
    "not {full_span:.0f}":
        "本次训练最后一次更新（n = {n}）时的 δ_n：{decay_n:.5f}（δ = {decay}），相当于对约 {span:.0f} 步取平均，"
        "而不是 {full_span:.0f} 步",
    "AdamW at {peak:g}, {warmup} warm-up steps, cosine decay over {total} steps, gradients clipped to norm {max_norm:g}":
        "AdamW，学习率 {peak:g}，预热 {warmup} 步，在 {total} 步内余弦衰减，梯度裁剪到范数 {max_norm:g}",
    "a gradient of norm {norm_before:.1f} is clipped to norm {norm_after:.3f}, direction kept (cosine {similarity:.4f})":
        "范数为 {norm_before:.1f} 的梯度被裁剪到范数 {norm_after:.3f}，方向不变（余弦相似度 {similarity:.4f}）",
    "step n": "训练步 n",
    "learning rate": "学习率",
    "Warm-up, then cosine decay to 10%": "先预热，再余弦衰减到 10%",
    "the recipe's UNet: resnet_time_scale_shift =": "配方的 UNet：resnet_time_scale_shift =",
    "ScaleShiftResBlock == the model's ResBlock, {c_in} → {c_out} channels":
        "ScaleShiftResBlock == 模型中的 ResBlock，通道数 {c_in} → {c_out}",
    "step {step}: loss {loss:.4f}, {dropped} of {batch_size} labels dropped":
        "第 {step} 步：损失 {loss:.4f}，{batch_size} 个标签中丢弃了 {dropped} 个",
    "our loss == objectives.diffusion_loss": "我们的损失 == objectives.diffusion_loss",
    "{done} of {total} steps in {seconds:.1f} s on {device}; checkpoint: {checkpoint}":
        "在 {device} 上用 {seconds:.1f} 秒完成了 {total} 步中的 {done} 步；检查点：{checkpoint}",
    "copied": "已复制",
    "{steps} steps; this call took {seconds:.1f} s on {device}; loss {first:.3f} → {last:.3f} (means of the first "
    "and last 50 steps)":
        "共 {steps} 步；这次调用在 {device} 上用了 {seconds:.1f} 秒；损失 {first:.3f} → {last:.3f}"
        "（前 50 步与最后 50 步的均值）",
    "per step": "每一步",
    "mean of {window} steps": "{window} 步的滑动平均",
    "step": "训练步",
    "min-SNR-weighted MSE on {target}": "{target} 上的 min-SNR 加权 MSE",
    "MSE on {target}": "{target} 上的 MSE",
    "One sample per class, DDIM {steps} steps, no guidance": "每个类别一个样本，DDIM {steps} 步，不加引导",
    "one guided step by hand == guided_noise_pred;": "亲手算出的一步引导 == guided_noise_pred；",
    "Ho & Salimans' w = {w:g} gives the same prediction as guidance_scale s = w + 1 = {s:g}":
        "Ho & Salimans 的 w = {w:g} 与 guidance_scale s = w + 1 = {s:g} 给出相同的预测",
    "taking s = {s:g} for w instead changes the prediction by up to {change:.3f}":
        "若误把 s = {s:g} 当作 w，预测最多会改变 {change:.3f}",
    "at t = {t}, guidance {s:g}: guiding v, then converting == converting, then guiding ε; the DDIM steps agree to "
    "{difference:.1e}":
        "在 t = {t}、引导比例 {s:g} 下：先引导 v 再转换 == 先转换再引导 ε；两个 DDIM 步的差异不超过 {difference:.1e}",
    "Rows: guidance_scale; columns: class (same starting noise)": "行：guidance_scale；列：类别（起始噪声相同）",
    "{name} with {steps:4d} steps: {seconds:6.2f} s for {images} images":
        "{name}，{steps:4d} 步：{images} 张图像用了 {seconds:6.2f} 秒",
    "DDPM took {time_ratio:.1f}× as long as DDIM ({step_ratio:.0f}× as many steps)":
        "DDPM 的用时是 DDIM 的 {time_ratio:.1f} 倍（步数是 {step_ratio:.0f} 倍）",
    "DDPM-1000 (top) vs DDIM (bottom)": "DDPM-1000（上）与 DDIM（下）",
    "The classifier on {n:,} REAL test images:": "分类器在 {n:,} 张真实测试图像上的表现：",
    "Accuracy of GENERATED images ({per_class} per class) by guidance_scale:":
        "生成图像（每个类别 {per_class} 张）在各 guidance_scale 下的准确率：",
    "class": "类别",
    "overall": "总体",
    "real test images": "真实测试图像",
    "at the recipe's guidance_scale={scale:g}: {accuracy:.1%}": "在配方的 guidance_scale={scale:g} 下：{accuracy:.1%}",
    "section 6's {name} samples: {overall:.0%} drawn as requested ({per_class})":
        "第 6 节的 {name} 样本：{overall:.0%} 画出了所要求的类别（{per_class}）",
    "generated images": "生成图像",
    "chance": "随机猜测",
    "class accuracy": "类别准确率",
    "at t = {t}, guidance {s:g}: {outside:.1%} of x̂₀'s pixels lie outside [−1, 1]":
        "在 t = {t}、引导比例 {s:g} 下：x̂₀ 有 {outside:.1%} 的像素落在 [−1, 1] 之外",
    "guidance {s:g}: clip_sample=False {unclamped:.1%}, clip_sample=True {clamped:.1%}":
        "引导比例 {s:g}：clip_sample=False 时为 {unclamped:.1%}，clip_sample=True 时为 {clamped:.1%}",
    "no clamp": "不截断",
    "clamp": "截断",
    "Same noise, same guidance: clip_sample=False (top) and True": "噪声相同、引导相同：clip_sample=False（上）与 True（下）",
    "saved:": "已保存：",
    "6 steps straight == 3 steps + resume to 6:": "连续训练 6 步 == 先训练 3 步再续训到 6 步：",
    # notebook 03, latent space and the VAE (notebooks/03_vae_latent_space.ipynb)
    "{name} on {device} in {dtype}; working size {side}×{side}":
        "{name} 位于 {device}，数据类型 {dtype}；工作尺寸 {side}×{side}",
    "{side}×{side} image: {pixels:,} pixel values → latent {shape}: {values:,} values ({ratio}× fewer)":
        "{side}×{side} 的图像：{pixels:,} 个像素值 → 潜变量 {shape}：{values:,} 个数值（少了 {ratio} 倍）",
    "N  = {n:,} positions: {ms:8.2f} ms": "N  = {n:,} 个位置：{ms:8.2f} ms",
    "4N = {n:,} positions: {ms:8.2f} ms": "4N = {n:,} 个位置：{ms:8.2f} ms",
    "measured ratio {measured:.1f}×  vs  {theory:.0f}× more attention scores (on {device})":
        "实测比值 {measured:.1f}×，而注意力分数多了 {theory:.0f}×（在 {device} 上）",
    "measured below the theory": "实测值低于理论值",
    "measured at or above the theory": "实测值达到或高于理论值",
    "the image, {side}×{side}": "原图，{side}×{side}",
    "image input  :": "输入图像    ：",  # as wide as "mean, logvar :" printed below it, so the shapes line up
    "each side shrinks {factor}×, latent channels: {channels}": "每条边缩小 {factor} 倍，潜变量通道数：{channels}",
    "mean |μ| = {mu:.4f},  mean σ = {sigma:.4f}": "|μ| 的均值 = {mu:.4f}，σ 的均值 = {sigma:.4f}",
    "largest |sample − mode| = {largest:.4f}": "|sample − mode| 的最大值 = {largest:.4f}",
    "std of z = {z_std:.3f} → std of scaled latents = {scaled_std:.3f}":
        "z 的标准差 = {z_std:.3f} → 缩放后潜变量的标准差 = {scaled_std:.3f}",
    "image": "图像",
    "latent channel {c}": "潜变量通道 {c}",
    "correlation of each channel with the patches' brightness:": "每个通道与图像块亮度的相关系数：",
    "latent position ({i}, {j}) lines up with pixels {top}–{bottom} × {left}–{right}":
        "潜变量位置 ({i}, {j}) 对应像素 {top}–{bottom} × {left}–{right}",
    "pixels that influence it: {share:.1%} of the image; share of the influence from its own {f}×{f} patch: "
    "{in_patch:.1%}":
        "对它有影响的像素：占图像的 {share:.1%}；影响中来自它自己那个 {f}×{f} 图像块的比例：{in_patch:.1%}",
    "log10 |∂ latent / ∂ pixel|\n(cyan: the latent's own patch)": "log10 |∂ 潜变量 / ∂ 像素|\n（青色框：该潜变量自己的图像块）",
    "channel": "通道",
    "channel {channel}: {shape}": "通道 {channel}：{shape}",
    "original": "原图",
    "encoded → decoded": "编码 → 解码",
    "PSNR, image vs its reconstruction: {value:.2f} dB (this notebook asks for ≥ {minimum:.1f} dB)":
        "PSNR，原图对比其重建图像：{value:.2f} dB（本 notebook 要求 ≥ {minimum:.1f} dB）",
    "PSNR, image vs a flat grey image : {value:.2f} dB": "PSNR，原图对比纯灰色图像：{value:.2f} dB",  # lines up with the above
    "decoded image latent": "解码图像的潜变量",
    "decoded pure noise": "解码纯噪声",
    "PSNR, image vs decoded noise: {noise:.2f} dB; vs its reconstruction: {reconstruction:.2f} dB":
        "PSNR，原图对比解码出的噪声：{noise:.2f} dB；对比其重建图像：{reconstruction:.2f} dB",
    "latent walk, w = {w:.2f}": "潜变量路径，w = {w:.2f}",
    "cross-fade, w = {w:.2f}": "交叉淡化，w = {w:.2f}",
    "PSNR, latent halfway vs pixel cross-fade: {value:.2f} dB": "PSNR，潜变量中点对比像素交叉淡化：{value:.2f} dB",
    "KL(the image's latent distribution ‖ N(0, I)) = {kl:,.1f}": "KL(这张图像的潜变量分布 ‖ N(0, I)) = {kl:,.1f}",
    "parameters: VAE encoder {encoder:,} | VAE decoder {decoder:,} | UNet {unet:,}":
        "参数量：VAE 编码器 {encoder:,} | VAE 解码器 {decoder:,} | UNet {unet:,}",
    "trainable VAE parameters after requires_grad_(False):": "requires_grad_(False) 之后 VAE 的可训练参数量：",
    "num_inference_steps={steps} → {timesteps} scheduler timesteps; calls: {calls}":
        "num_inference_steps={steps} → 调度器的 {timesteps} 个时间步；调用次数：{calls}",
    # notebook 03: the scaling factor measured, the channels' colours, colours through the round trip
    "raw latents of {images} training images ({values:,} values): mean {mean:+.3f}, std σ̂ = {std:.3f}":
        "{images} 张训练图像的原始潜变量（{values:,} 个数值）：均值 {mean:+.3f}，标准差 σ̂ = {std:.3f}",
    "1 / σ̂ = {estimate:.4f};  vae.config.scaling_factor = {configured:.4f}":
        "1 / σ̂ = {estimate:.4f}；vae.config.scaling_factor = {configured:.4f}",
    "std of the scaled latents s · z: {std:.3f}": "缩放后潜变量 s · z 的标准差：{std:.3f}",
    "t = {t:>3}: SNR scaled {scaled:7.3f}, unscaled {unscaled:7.3f} = what scaled latents have at t = {same}":
        "t = {t:>3}：缩放后 SNR {scaled:7.3f}，未缩放 {unscaled:7.3f} = 缩放后的潜变量在 t = {same} 时的 SNR",
    "at t = {t}, the signal is {scaled:.1%} of the variance of z_t with scaling, {unscaled:.1%} without":
        "在 t = {t} 时，信号占 z_t 方差的比例：缩放后 {scaled:.1%}，未缩放 {unscaled:.1%}",
    "scaled latents s · z": "缩放后的潜变量 s · z",
    "unscaled latents z": "未缩放的潜变量 z",
    "signal-to-noise ratio along the noise schedule": "噪声调度中的信噪比",
    "photos: a patch's mean colour read linearly from its 4 latent numbers: R² = {r2:.3f}":
        "照片：从 4 个潜变量数值线性读出图像块的平均颜色：R² = {r2:.3f}",
    "mean latent (scaled) at background positions, by background colour:": "背景位置上（缩放后）潜变量的平均值，按背景色分组：",
    "channel {c}": "通道 {c}",
    "brightness": "亮度",
    "{n:,} background positions: the colour explains R² = {r2:.3f} of the 4 numbers":
        "{n:,} 个背景位置：颜色解释了这 4 个数的 R² = {r2:.3f}",
    "read linearly from the 4 numbers: brightness R² = {luma:.3f}, RGB colour R² = {rgb:.3f}":
        "从这 4 个数线性读出：亮度 R² = {luma:.3f}，RGB 颜色 R² = {rgb:.3f}",
    "background colour from the 4 numbers by the 5 nearest neighbours: {accuracy:.1%} right (chance: {chance:.1%})":
        "用 5 个最近邻从这 4 个数读背景色：正确率 {accuracy:.1%}（随机猜测：{chance:.1%}）",
    "ink colour read linearly at {n:,} stroke positions: R² = {r2:.3f}": "在 {n:,} 个笔画位置上线性读出墨色：R² = {r2:.3f}",
    "photo {k}": "照片 {k}",
    "photo {k}, rotated": "照片 {k}，通道调换",
    "{name}: PSNR {psnr:.2f} dB, mean colour {before} → {after}": "{name}：PSNR {psnr:.2f} dB，平均颜色 {before} → {after}",
    "held out": "留出",
    "seen": "见过",
    "{name:>15} ({tag:>8}): PSNR {psnr:5.2f} dB; judge: original {original}, reconstruction {rebuilt}":
        "{name:>15}（{tag:>8}）：PSNR {psnr:5.2f} dB；评判器：原图 {original}，重建 {rebuilt}",
    "mean PSNR over the six pairs: {value:.2f} dB": "这 6 对颜色的平均 PSNR：{value:.2f} dB",
    "after the palette-only steps": "只用调色板颜色对训练之后",
    "shipped": "随课程发布的版本",
    "model card, the VAE {when}: ": "模型卡，VAE {when}：",
    "{pair} {psnr:.1f} dB, ink read right {ink:.0%}": "{pair} {psnr:.1f} dB，墨色读对 {ink:.0%}",
    "full mode: SD's VAE has no held-out colour pairs; this measurement is for the mini VAE.":
        "完整模式：SD 的 VAE 没有留出的颜色对；这项测量是针对迷你 VAE 的。",
    "seen cells": "见过的组合",
    "held-out ink for the digit": "该数字留出的墨色",
    "held-out pairs": "留出的颜色对",
    "all {n} digits: PSNR {value:.2f} dB (the model card: {card:.2f} dB)":
        "全部 {n} 个数字：PSNR {value:.2f} dB（模型卡：{card:.2f} dB）",
    "{name:>27}: {n:>3} digits, PSNR {value:5.2f} dB, same ink {ink:6.1%}, same background {bg:6.1%}":
        "{name:>27}：{n:>3} 个数字，PSNR {value:5.2f} dB，墨色不变 {ink:6.1%}，背景色不变 {bg:6.1%}",
    "encoder's latent: {value:.1f} dB": "编码器的潜变量：{value:.1f} dB",
    "searched latent: {value:.1f} dB": "梯度下降找到的潜变量：{value:.1f} dB",
    "PSNR with the encoder's latent {encoder:.2f} dB → after {steps} gradient steps on the latent {search:.2f} dB":
        "用编码器的潜变量 PSNR 为 {encoder:.2f} dB → 对潜变量做 {steps} 步梯度下降后为 {search:.2f} dB",
    "the judge reads the searched latent's picture as {description}": "评判器把搜索所得潜变量解码出的图读作 {description}",
    "pixels in between: latent halfway {latent:.1%}, pixel cross-fade {pixel:.1%}":
        "处于中段的像素：潜变量中点 {latent:.1%}，像素交叉淡化 {pixel:.1%}",
    "the mini VAE's loss for this image: squared error {error:,.1f} + β · KL {kl_term:.4f}":
        "迷你 VAE 在这张图像上的损失：平方误差 {error:,.1f} + β · KL {kl_term:.4f}",
    "from section 3's batch of training latents: {estimate:.4f}; the VAE's config: {configured:.4f}":
        "由第 3 节那批训练潜变量得出：{estimate:.4f}；VAE 的配置中：{configured:.4f}",
    "red vs purple, equally bright: their mean latents differ by {gap:.1%} of the white–black distance":
        "亮度相同的红色与紫色：它们的平均潜变量之差只有白色与黑色之间距离的 {gap:.1%}",
    # notebook 04, tokens, text embeddings and cross-attention (notebooks/04_tokens_and_text_embeddings.ipynb)
    "{tokenizer}, {text_encoder} and {unet} on {device} in {dtype}":
        "{tokenizer}、{text_encoder} 和 {unet} 位于 {device}，数据类型 {dtype}",
    "flower": "花",
    "pagoda": "宝塔",
    "circle": "圆",
    "tokenizer.decoder.get(320) fails: {error}: {message}": "tokenizer.decoder.get(320) 报错：{error}：{message}",
    "tokenizer.decoder is a": "tokenizer.decoder 的类型是",
    "{call:<50} {n} message(s)": "{call:<50} {n} 条消息",
    "{prompt!r}: {n} tokens (start and end included) of {limit}": "{prompt!r}：{n} 个词元（含起始和结束词元），上限 {limit}",
    "{n} token(s) would be dropped": "将有 {n} 个词元被丢弃",
    "prompt": "提示词",
    # the next three are equally wide, as in English, so the values printed after them line up
    "encoder hidden states:": "编码器隐藏状态        ：",
    "SD v1.5's hidden_size:": "SD v1.5 的 hidden_size：",
    "pooled output        :": "池化输出              ：",
    " (not used by SD v1)": " （SD v1 不使用）",
    "with vs without the mask: real tokens differ by {real:.2g}, padding by {padding:.3g}":
        "传与不传掩码相比：真实词元相差 {real:.2g}，填充相差 {padding:.3g}",
    "empty prompt ids:": "空提示词的 id：",
    "shape {shape}": "形状 {shape}",
    "norm {norm:.1f} (not zeros)": "范数 {norm:.1f}（不是全零）",
    "cosine similarity": "余弦相似度",
    "cosine similarity of text embeddings (positions 1–76)": "文本嵌入的余弦相似度（位置 1–76）",
    "different prompts: cosine similarity {low:.3f} to {high:.3f}": "不同的提示词之间：余弦相似度从 {low:.3f} 到 {high:.3f}",
    "each position's vector vs the average vector: cosine {mean:.3f} on average":
        "每个位置的向量与平均向量之间：余弦值平均为 {mean:.3f}",
    "padding among positions 1–76: {counts}": "位置 1–76 中的填充个数：{counts}",
    "{first!r} vs {second!r}: {same_meaning:.3f};  vs {third!r}: {shared_words:.3f}":
        "{first!r} 对比 {second!r}：{same_meaning:.3f}；对比 {third!r}：{shared_words:.3f}",
    "{side}-px images, {n} of them; the model's contrastive loss {loss:.3f}":
        "{side} px 的图像，共 {n} 张；模型的对比损失为 {loss:.3f}",
    "best caption per image {best}: {on_diagonal} of {n} rows have their maximum on the diagonal":
        "每张图像的最佳描述文本 {best}：{n} 行中有 {on_diagonal} 行的最大值落在对角线上",
    "λ = clip_model.logit_scale = {scale:.4f} (it started at logit_scale_init_value = {init}, "
    "log(1/0.07) = {start:.4f})":
        "λ = clip_model.logit_scale = {scale:.4f}（初始值为 logit_scale_init_value = {init}，而 log(1/0.07) = {start:.4f}）",
    "logits = e^λ × cosine = {factor:.2f} × cosine: temperature τ = 1/e^λ = {tau:.4f}":
        "logits = e^λ × 余弦值 = {factor:.2f} × 余弦值：温度 τ = 1/e^λ = {tau:.4f}",
    "cosine similarity: rows are the images above, columns the captions (bold: each row's maximum)":
        "余弦相似度：行是上面的图像，列是描述文本（粗体：每行的最大值）",
    "SD v1.5's model_index.json lists safety_checker =": "SD v1.5 的 model_index.json 中列出的 safety_checker =",
    "StableDiffusionSafetyChecker's parts:": "StableDiffusionSafetyChecker 的组成部分：",
    "safety check of the decoded image {shape}": "对解码后的图像 {shape} 做安全检查",
    "during a generation: {n} UNet calls, then {last}": "一次生成过程中：先调用 {n} 次 UNet，然后{last}",
    "SD text encoder width:": "SD 文本编码器的宽度：",
    "| this CLIP's text width:": "| 这个 CLIP 的文本宽度：",
    "SD's text encoder is this CLIP's text tower, weight for weight:": "SD 的文本编码器就是这个 CLIP 的文本塔，权重逐一相同：",
    "W_Q = to_q {q}, W_K = to_k {k}, W_V = to_v {v}  (an nn.Linear stores (out, in))":
        "W_Q = to_q {q}，W_K = to_k {k}，W_V = to_v {v}（nn.Linear 按 (out, in) 存储权重）",
    "heads = {heads}, inner_dim = {inner_dim}; W_O = to_out[0] {out} with a bias; to_out[1] is {dropout}":
        "heads = {heads}，inner_dim = {inner_dim}；W_O = to_out[0] {out}，带偏置；to_out[1] 是 {dropout}",
    "{heads} heads of d = {d}; queries {queries}, text {context} → output {output}: matches diffusers "
    "(max difference {difference:.1e})":
        "{heads} 个头，每个 d = {d}；查询 {queries}，文本 {context} → 输出 {output}：与 diffusers 一致"
        "（最大差异 {difference:.1e}）",
    "image position": "图像位置",
    "cross-attention weights (random queries)": "交叉注意力权重（随机查询）",
    "{name}: queries from {q_width}-wide image features, keys/values from {kv_width}-wide inputs, {heads} heads":
        "{name}：查询来自宽度为 {q_width} 的图像特征，键/值来自宽度为 {kv_width} 的输入，{heads} 个头",
    "UNet output with vs without recording: max difference {difference:.1e}":
        "记录与不记录时 UNet 的输出：最大差异 {difference:.1e}",
    "{n} cross-attention layers recorded, P averaged over heads:": "记录了 {n} 个交叉注意力层，P 已对各个头取平均：",
    "(batch, positions, tokens)": "（批次，位置，词元）",
    "generated": "生成的图像",
    "{side}×{side} layers": "{side}×{side} 的层",
    "all layers": "所有层",
    "token": "词元",
    "padding (mean)": "填充（均值）",
    "in :": "输入：",
    "out:": "输出：",
    "timestep": "时间步",
    "text": "文本",
    "{kind:<16} × {count:>2}: extra input {inputs}": "{kind:<16} × {count:>2}：额外输入 {inputs}",
    "block": "块",
    "type": "类型",
    "in (C, H, W)": "输入 (C, H, W)",
    "out (C, H, W)": "输出 (C, H, W)",
    "ResBlocks": "残差块",
    "transformers": "Transformer 块",
    "skips": "跳跃连接",
    "{n} skip tensors: conv_in's output plus those the down blocks save; the up blocks concatenate all of them":
        "{n} 个跳跃连接张量：conv_in 的输出，加上各下采样块保存的张量；上采样块把它们全部拼接起来",
    "{n} ResBlocks": "{n} 个残差块",
    "{n} transformer blocks": "{n} 个 Transformer 块",
    "{n} transformer block": "{n} 个 Transformer 块",
    "{side}×{side}, {channels} channels": "{side}×{side}，{channels} 个通道",
    "; {move} to {new_side}×{new_side}": "；{move}到 {new_side}×{new_side}",
    "down": "下采样",
    "up": "上采样",
    "skip: {n} tensors at {side}×{side}": "跳跃连接：{n} 个 {side}×{side} 的张量",
    "noisy latents (4, {side}, {side}) → conv_in": "带噪潜变量 (4, {side}, {side}) → conv_in",
    "conv_out → predicted noise (4, {side}, {side})": "conv_out → 预测的噪声 (4, {side}, {side})",
    "time: timestep → sinusoidal embedding → MLP →\na {dim}-vector added inside all {n} ResBlocks":
        "时间：时间步 → 正弦嵌入 → MLP →\n一个 {dim} 维向量，加到全部 {n} 个残差块内部",
    "text: encoder_hidden_states (77, {dim}) → keys and\nvalues of the cross-attention in all {n} transformer blocks":
        "文本：encoder_hidden_states (77, {dim}) → 全部 {n} 个\nTransformer 块中交叉注意力的键和值",
    "SD v1.5's UNet, drawn from its config: down the left, mid block at the bottom, up the right;\n"
    "dashed: skip connections; blue: ResBlocks only (time); orange: ResBlocks + transformer blocks (time and text)":
        "SD v1.5 的 UNet，由其配置画出：左侧下行，中间块在底部，右侧上行；\n"
        "虚线：跳跃连接；蓝色：只有残差块（时间）；橙色：残差块 + Transformer 块（时间和文本）",
    "SD v1.5 {component:<13}: {n:>11,} parameters ({millions:.1f} M)":
        "SD v1.5 {component:<13}：{n:>11,} 个参数（{millions:.1f} M）",
    # the next three are equally wide, as in English, so the percentages line up
    "UNet in ResBlocks          : {share:6.1%}": "UNet 中残差块         ：{share:6.1%}",
    "UNet in transformer blocks : {share:6.1%}": "UNet 中 Transformer 块：{share:6.1%}",
    "everything else            : {share:6.1%}  (convs in/out, up/downsampling, time MLP)":
        "其余部分              ：{share:6.1%}（输入/输出卷积、上/下采样、时间 MLP）",
    "the UNet loaded in this mode: {n:,} parameters": "本模式加载的 UNet：{n:,} 个参数",
    # notebook 04, coloured digits: zero-shot per attribute, word maps on the ink, one word changed
    "digit": "数字",
    "ink colour": "墨色",
    "background colour": "背景色",
    "zero-shot accuracy on {n} held-out images, attribute by attribute:": "在 {n} 张留出图像上的零样本准确率，逐个属性：",
    "  {attribute} {accuracy:6.1%}  (guessing: 1 in {options})":
        "  {attribute} {accuracy:6.1%}（随机猜测：{options} 选 1）",
    "on the {n} images whose (digit, ink, background) training never showed:": "在其（数字、墨色、背景色）组合从未在训练中出现过的 {n} 张图像上：",
    "the model card (figures.json):": "模型卡（figures.json）：",
    "model card, all three attributes right on seen cells: guidance 3.0 → {at_3:.1%}, 7.5 → {at_7:.1%}":
        "模型卡：在见过的组合上三个属性全对的比例：引导比例 3.0 → {at_3:.1%}，7.5 → {at_7:.1%}",
    "{prompt!r}, guidance {guidance}: {n} UNet calls recorded per layer; maps {shape}":
        "{prompt!r}，引导比例 {guidance}：每层记录了 {n} 次 UNet 调用；注意力图 {shape}",
    "ink, by colour\n{share:.0%} of the area": "按颜色找出的笔迹\n占面积的 {share:.0%}",
    "{prompt!r}: each token's map, titled with its mass on the ink and its lift":
        "{prompt!r}：每个词元的注意力图，标题为它落在笔迹上的份额和它的提升倍数",
    "ink covers {share:.1%} of the latent grid: a token read everywhere equally would put that share of its attention on it":
        "笔迹覆盖了潜变量网格的 {share:.1%}：一个在各处被同等读取的词元，会把它注意力中的这一份额放在笔迹上",
    "on the ink": "在笔迹上",
    "lift": "提升倍数",
    "mean lift, {layers}:": "平均提升倍数，{layers}：",
    "prompts": "提示词",
    "ink word > background word": "墨色词 > 背景色词",
    "{name} ({n}): {template!r}": "{name}（{n} 个）：{template!r}",
    "all layers, ink word's lift − background word's: {first:+.2f} in {template!r}, {second:+.2f} when the background colour comes first":
        "所有层，墨色词的提升倍数 − 背景色词的：在 {template!r} 中为 {first:+.2f}，背景色放在前面时为 {second:+.2f}",
    "as written": "原样",
    "ink word changed": "换了墨色词",
    "background word changed": "换了背景色词",
    "where it changed:\n{version}": "哪里变了：\n{version}",
    "{n} prompts, the same seed for each version; mean RGB change (0 to {most:.2f})":
        "{n} 个提示词，每个版本用相同的种子；RGB 的平均变化（0 到 {most:.2f}）",
    "on the background": "在背景上",
    "ink > background": "笔迹 > 背景",
    "the colour judge reads the same digit as in the original: {ink:.0%} ({ink_version}), {background:.0%} ({background_version})":
        "颜色评判器读出与原图相同的数字：{ink:.0%}（{ink_version}），{background:.0%}（{background_version}）",
    # figure text of notebooks 05, 06 and 07 (titles, axis labels, legends)
    "ink": "墨色",  # as the zh notebooks 05–07 write ink colour and background colour
    "background": "背景色",
    "judge: {reading}": "评判器：{reading}",
    "all three right": "三者全对",
    # notebook 05, the CFG sampling loop (notebooks/05_cfg_sampling_loop.ipynb)
    "guided samples, s = {s:g}": "引导后的样本，s = {s:g}",
    "class c: mean +0.5; the other class: mean −0.5": "类别 c：均值 +0.5；另一个类别：均值 −0.5",
    "our loop: {prompt}": "我们的循环：{prompt}",
    "step {step}, t={t}": "第 {step} 步，t={t}",
    "DDIM, decoded: the latents x_t after each step (top), that step's x̂₀ (bottom)":
        "DDIM，解码后：每一步之后的潜变量 x_t（上），这一步预测的 x̂₀（下）",
    "guidance_scale: one row per scale, one column per prompt": "guidance_scale：每个比例一行，每个提示词一列",
    "all three": "三者全对",
    "share of images right": "画对的图像比例",
    "s = 0, pipeline: prompt only": "s = 0，管线：只用提示词",
    "s = 0, formula: ∅ only": "s = 0，公式：只用 ∅",
    'negative: "" (empty)': '负面提示词：""（空）',
    'negative: "{negative}"': '负面提示词："{negative}"',
    'negative ""': '负面提示词 ""',
    "negative: its digit": "负面提示词：它画出的数字",
    'prompt "", the same noise in each column': '提示词 ""，同一列的起始噪声相同',
    'negative "{negative}"': '负面提示词 "{negative}"',
    'prompt "{prompt}", s = {s:g}, the same noise in each column': '提示词 "{prompt}"，s = {s:g}，同一列的起始噪声相同',
    "prompt a": "提示词 a",
    "halfway a → b": "a → b 的中点",
    "prompt b": "提示词 b",
    "{colour} ink": "墨色 {colour}",
    "{steps} steps each": "各 {steps} 步",
    "x̂₀ from the same x_t: with the true noise (top), with the trained UNet's ε̂ (bottom)":
        "由同一个 x_t 求出的 x̂₀：用真实噪声（上），用训练好的 UNet 预测的 ε̂（下）",
    "from the same pure noise: one jump to x̂₀ (top), {steps} steps (bottom)":
        "从同一份纯噪声出发：一步跳到 x̂₀（上），采样 {steps} 步（下）",
    "x_0, {k}×{k} averages": "x_0，{k}×{k} 块平均",
    "x_999, {k}×{k} averages": "x_999，{k}×{k} 块平均",
    "x_999, draw {i}": "x_999，第 {i} 次抽样",
    "pure noise (draw 4)": "纯噪声（第 4 次抽样）",
    "16×16 block averages in grey, each stretched to its own range": "16×16 块平均的灰度图，每张按各自的最小值和最大值显示",
    "seed {seed}": "种子 {seed}",
    "seed {seed}, generator reused": "种子 {seed}，生成器再次使用",
    "strength {strength}: n_run={n_run}, from t={t}": "强度 {strength}：n_run={n_run}，从 t={t} 开始",
    "the image": "输入图像",
    "img2img {strength}": "图生图 {strength}",
    "from noise": "从噪声生成",
    "strokes": "笔画",
    "{sampler}, s={s}, {steps} steps, seed {seed}": "{sampler}，s={s}，{steps} 步，种子 {seed}",
    # notebook 06, train your own SD (notebooks/06_train_your_own_sd.ipynb)
    "class × ink (framed and faded: held out, on every background)": "类别 × 墨色（加框并变淡：在任何背景色上都留出）",
    "classes seen in training, per ink/background pair": "训练中见过的类别数，按墨色/背景色搭配",
    "optimiser step k": "优化器步 k",
    "multiplier m(k)": "学习率倍数 m(k)",
    "K = {num_steps:,} steps, W = {warmup} warm-up steps": "K = {num_steps:,} 步，W = {warmup} 步预热",
    "{ink} {word} on {background}": "{ink} {word}，背景 {background}",
    "CLIP: images (rows) × {prompt!r}, … (columns)": "CLIP：图像（行）× {prompt!r} 等文本（列）",
    "held-out images (top) and their reconstructions (bottom): {psnr:.1f} dB PSNR":
        "留出的图像（上）及其重建（下）：PSNR {psnr:.1f} dB",
    "loss": "损失",
    "product of the three": "三者比例之积",
    "held-out cells": "留出的组合",
    "UNet training step": "UNet 训练步数",
    "share of images right (guidance 3)": "画对的图像比例（引导比例 3）",
    # notebook 07, LoRA fine-tuning (notebooks/07_lora_fine_tuning.ipynb)
    "real: {ink}": "真实图像：{ink}",
    "the judge's ink: real orange zeros (top) and their VAE round trips (bottom)":
        "评判器读出的墨色：真实的橙色数字 0（上），以及它们在 VAE 里走一个来回之后（下）",
    "the base model": "基础模型",
    "loss (mean of {every} steps)": "损失（每 {every} 步的均值）",
    "the shipped LoRA's training: {steps} steps, {seconds:.0f} s": "随课程发布的 LoRA 的训练：{steps} 步，{seconds:.0f} 秒",
    "base: {reading}": "基础模型：{reading}",
    "'an orange seven on a … background': the base model (top), with the LoRA (bottom)":
        "'an orange seven on a … background'：基础模型（上），加上 LoRA（下）",
    "'a {word} seven on a … background', with the {word} LoRA": "'a {word} seven on a … background'，加上 {word} LoRA",
    "{prompt!r}, LoRA scale {scale}": "{prompt!r}，LoRA 比例 {scale}",
    # notebook 05, printed text (notebooks/05_cfg_sampling_loop.ipynb)
    "{mode} mode: {size}×{size} px, {steps} steps, scheduler {scheduler}, {device}, {dtype}":
        "{mode} 模式：{size}×{size} 像素，{steps} 步，调度器 {scheduler}，{device}，{dtype}",
    "digit classifier: {accuracy:.1%} right on the 500 real held-out digits (evaluation.class_accuracy, "
    "recorded in the model card)":
        "数字分类器：在 500 个留出的真实手写数字上正确率为 {accuracy:.1%}（evaluation.class_accuracy，记录在模型卡中）",
    "palette: {names}; {held_out} of the {total} (digit, ink, background) cells are held out of training":
        "调色板：{names}；全部 {total} 个（数字、墨色、背景色）组合中，有 {held_out} 个在训练中留出",
    "✓ {what}: max |difference| = {diff:.3g}": "✓ {what}：最大 |差异| = {diff:.3g}",
    "the colour judge reads it as {reading}: the prompt names no colour, the noise picked them":
        "颜色评判器把它读作 {reading}：提示词没有指定颜色，颜色是噪声选的",
    "mean |ε_text − ε_uncond| = {gap:.3f}; at s = 7.5 the guided prediction lies {ratio:.1f}× as far from "
    "ε_uncond":
        "|ε_text − ε_uncond| 的均值 = {gap:.3f}；s = 7.5 时，引导后的预测离 ε_uncond 的距离是 ε_text 的 {ratio:.1f} 倍",
    "t = {t}: ε_c − ε_∅ = −σ_t·∇ log p_t(c | x_t) at all {n} points":
        "t = {t}：在全部 {n} 个点上都有 ε_c − ε_∅ = −σ_t·∇ log p_t(c | x_t)",
    "s = {s:g}: share on the other class's side (x < 0): samples {sampled:.1%}, tilted target {target:.1%}; "
    "spread of the samples {spread:.2f}":
        "s = {s:g}：落在另一类一侧（x < 0）的比例：样本 {sampled:.1%}，倾斜后的目标分布 {target:.1%}；样本的标准差 {spread:.2f}",
    "diffusers' guidance_scale s = {s} is Ho & Salimans' w = s − 1 = {w}":
        "diffusers 的 guidance_scale s = {s} 对应 Ho & Salimans 的 w = s − 1 = {w}",
    "t = {t}: UNet batch {batch} → latents {shape}": "t = {t}：UNet 的批次 {batch} → 潜变量 {shape}",
    "{n} UNet calls done; latents {shape}, std {std:.3f}": "已完成 {n} 次 UNet 调用；潜变量 {shape}，标准差 {std:.3f}",
    "prompted digit {digit}; the colour judge reads our loop's image as {reading}":
        "提示词要求的数字是 {digit}；颜色评判器把我们的循环画出的图像读作 {reading}",
    "mean |x̂₀ − final picture| by step:": "每一步的 |x̂₀ − 最终图像| 均值：",
    "x̂₀ read as:": "x̂₀ 被读作：",
    "step {step}: {reading}": "第 {step} 步：{reading}",
    "as in the final picture from step (of {steps}):": "从第几步起（共 {steps} 步）与最终图像一致：",
    "column {k}: {prompt}": "第 {k} 列：{prompt}",
    "  (a held-out cell: never in training)": "（留出的组合：训练中从未出现）",
    "right of 3": "答对项数/3",
    "({n} images each)": "（各 {n} 张图像）",
    "model card, all three right:": "模型卡，三者全对：",
    "s = {s:g}: {seen:.1%} of seen cells, {held_out:.1%} of held-out":
        "s = {s:g}：见过的组合 {seen:.1%}，留出的组合 {held_out:.1%}",
    "model card, the digit of {template!r} right:": "模型卡，{template!r} 的数字画对的比例：",
    "no training caption misnamed an attribute, and still guidance adds {gain:.2f} right attributes per "
    "image (s = 1 → {s:g})":
        "训练用的描述文本从未写错任何属性，引导却仍让每张图像多对了 {gain:.2f} 个属性（s = 1 → {s:g}）",
    "Full mode has no judge for photos here; look at the grid: which words does s = 1 miss, "
    "and what does s = 10 do to the colours?":
        "完整模式在这里没有给照片用的评判器；请看网格：s = 1 漏掉了哪些词？s = 10 又把颜色变成了什么样？",
    "s = 1: two branches vs the prompt's branch alone: max |difference| {largest:.2g}, mean {mean:.2g}":
        "s = 1：两个分支对比只用提示词分支：最大 |差异| {largest:.2g}，平均 {mean:.2g}",
    "s = 0: two branches vs the empty prompt's branch alone: max {largest:.2g}, mean {mean:.2g}":
        "s = 0：两个分支对比只用空提示词分支：最大 {largest:.2g}，平均 {mean:.2g}",
    "s = 0: two branches vs the pipeline's s = 0: max {largest:.2g}, mean {mean:.2g}":
        "s = 0：两个分支对比管线的 s = 0：最大 {largest:.2g}，平均 {mean:.2g}",
    "the classifier reads them as {first} and {second}: at s = 0 the prompt plays no part":
        "分类器把它们读作 {first} 和 {second}：s = 0 时提示词不起任何作用",
    "max |difference| from the image with the empty negative prompt: {difference:.3g}":
        "与负面提示词为空时的图像相比，最大 |差异|：{difference:.3g}",
    # the next two are equally wide, as in English, so the lists printed after them line up
    "read without a negative prompt:    ": "不加负面提示词，读作：      ",
    "read with the negative naming that:": "负面提示词点名该数字，读作：",
    "still read as the digit the negative prompt names: 100% → {kept:.0%}":
        "仍被读作负面提示词所点名数字的比例：100% → {kept:.0%}",
    "negative {negative!r:<12}: red ink on {red:>2} of {total} images, read as a 5: {fives:4.0%}; inks: "
    "{inks}":
        "负面提示词 {negative!r:<12}：墨色为红色 {red:>2}/{total} 张，读作 5 的 {fives:4.0%}；各墨色：{inks}",
    "{word!r} sits at positions {positions}; |weighted − original| there {there:.3f}, "
    "elsewhere {elsewhere:.3f} (the mean rescale)":
        "{word!r} 位于位置 {positions}；这些位置上 |加权后 − 原始| = {there:.3f}，其他位置 {elsewhere:.3f}（来自对均值的重新缩放）",
    "the classifier reads:": "分类器读出：",
    "w = {w:.2f}: ink RGB ({r:.2f}, {g:.2f}, {b:.2f}), read as {reading}":
        "w = {w:.2f}：墨色 RGB ({r:.2f}, {g:.2f}, {b:.2f})，读作 {reading}",
    "the two largest changes between neighbours: {largest:.2f} of {total:.2f} in all":
        "相邻权重之间最大的两次变化：{largest:.2f}，变化总和 {total:.2f}",
    "sampler": "采样器",
    "steps": "步数",
    "UNet calls": "UNet 调用",
    "seconds/image": "秒/张",
    "adherence": "遵循度",
    "DDPM {t} → {s}: β = 1 − ᾱ_t/ᾱ_s = {beta:.4f}, posterior std {std:.4f}":
        "DDPM {t} → {s}：β = 1 − ᾱ_t/ᾱ_s = {beta:.4f}，后验标准差 {std:.4f}",
    "posterior mean + std·z by hand == DDPMScheduler.step == DDIMScheduler.step(eta=1)":
        "亲手算出的后验均值 + 标准差·z == DDPMScheduler.step == DDIMScheduler.step(eta=1)",
    "DDIMScheduler.step(eta=0) gives the same point whatever the generator: deterministic":
        "无论用哪个生成器，DDIMScheduler.step(eta=0) 都给出同一个点：它是确定性的",
    "DDIM jumps 981 → 961, 481, 1 with the true noise == add_noise(x_0, ε, s)":
        "用真实噪声做 DDIM 跳跃 981 → 961、481、1 == add_noise(x_0, ε, s)",
    "t = {t}: x̂₀ from the UNet: mean squared error {error:.3f}, edge energy {detail:.2f} × the clean "
    "image's":
        "t = {t}：由 UNet 得到的 x̂₀：均方误差 {error:.3f}，边缘能量是干净图像的 {detail:.2f} 倍",
    "variance across the {n} starts, per pixel: one jump {jump:.3f}, {steps} steps {sampled:.3f}":
        "{n} 个起点之间每个像素的方差：一步跳到底 {jump:.3f}，采样 {steps} 步 {sampled:.3f}",
    "√ᾱ_999 = {signal:.4f} of the image is left at t = 999 (noise: √(1 − ᾱ_999) = {noise:.4f}); "
    "SNR ᾱ/(1 − ᾱ) = {snr:.4f}":
        "t = 999 时图像还剩 √ᾱ_999 = {signal:.4f}（噪声：√(1 − ᾱ_999) = {noise:.4f}）；信噪比 ᾱ/(1 − ᾱ) = {snr:.4f}",
    "pixels": "像素",
    "VAE latent": "VAE 潜变量",
    "{what} ({side}×{side}), mean of 64 draws: correlation of x_999 with the clean image {x:.3f}, "
    "after {k}×{k} averaging {x_averaged:.3f}; of pure noise {noise:+.3f} and {noise_averaged:+.3f}":
        "{what}（{side}×{side}），64 次抽样的均值：x_999 与干净图像的相关系数 {x:.3f}，做 {k}×{k} 块平均后 {x_averaged:.3f}；"
        "纯噪声的相关系数为 {noise:+.3f} 和 {noise_averaged:+.3f}",
    "with rescale_betas_zero_snr=True, ᾱ_999 = {abar:g}": "设 rescale_betas_zero_snr=True 时，ᾱ_999 = {abar:g}",
    "reused generator → a different image; another seed → a different image":
        "再次使用同一个生成器 → 另一张图像；换一个种子 → 另一张图像",
    "full schedule:": "完整的时间步序列：",
    "strength {strength}: {eights:.0%} read as 8, {threes:.0%} still a 3  (all {n}: {digits})":
        "强度 {strength}：{eights:.0%} 读作 8，{threes:.0%} 仍是 3（全部 {n} 张：{digits}）",
    "{d}: recoloured reads as {reading}; stroke overlap with the original {kept:.2f} (drawn from noise: "
    "{other:.2f})":
        "{d}：换色后读作 {reading}；与原图的笔画重叠度 {kept:.2f}（从噪声画出的：{other:.2f}）",
    "model": "模型",
    "parameters": "参数量",
    "total": "合计",
    "(fp16 = half of fp32)": "（fp16 = fp32 的一半）",
    "weights as loaded here ({dtype}): {mb:.1f} MB": "这里加载的权重（{dtype}）：{mb:.1f} MB",
    # the next two are equally wide, as in English, so the lists printed after them line up
    "attention processors:": "注意力处理器：",
    "with slicing:        ": "开启切片后：  ",
    "|sliced − default|: max {largest:.2g}, mean {mean:.2g}": "|切片 − 默认|：最大 {largest:.2g}，平均 {mean:.2g}",
    "measured peak GPU memory: {default:.2f} GiB default, {sliced:.2f} GiB with attention slicing":
        "实测的显存峰值：默认 {default:.2f} GiB，开启注意力切片 {sliced:.2f} GiB",
    "No GPU here, so there is no GPU memory to measure. In Colab on a T4 this cell prints the peaks.":
        "这里没有 GPU，也就没有显存可测。在 Colab 的 T4 上，本单元会打印出峰值。",
    # the next three line up after the model's name, as in English
    "SD v1.5: cross-attention reads {width}-wide tokens (= text hidden_size {hidden_size}); "
    "latents {latent}² → {pixels}-px images":
        "SD v1.5：交叉注意力读取 {width} 维的词元（= 文本的 hidden_size {hidden_size}）；潜变量 {latent}² → {pixels} 像素的图像",
    "SD 2   : text hidden_size {hidden_size}; prediction_type {prediction_type!r}":
        "SD 2   ：文本的 hidden_size {hidden_size}；prediction_type {prediction_type!r}",
    "SDXL   : {widths} = {width}-wide tokens; latents {latent}² → {pixels}-px images":
        "SDXL   ：{widths} = {width} 维的词元；潜变量 {latent}² → {pixels} 像素的图像",
    "DDIM step with v (prediction_type='v_prediction') == DDIM step with ε":
        "用 v 的 DDIM 步（prediction_type='v_prediction'）== 用 ε 的 DDIM 步",
    "Out of memory, so no image this time.": "显存不足，这次没有图像。",
    "SIMULATED out-of-memory error (nothing ran out of memory here); the message a learner sees:":
        "模拟的显存不足错误（这里并没有真的耗尽显存）；学习者会看到这样的消息：",
    "a real call through the same wrapper returned": "通过同一个包装函数的真实调用返回了",
    # notebook 06, printed text (notebooks/06_train_your_own_sd.ipynb)
    "{mode} mode: {used:,} of {total:,} training images used here, {test:,} test images":
        "{mode} 模式：这里用了 {total:,} 张训练图像中的 {used:,} 张，测试图像 {test:,} 张",
    "classes:": "类别：",
    "palette:": "调色板：",
    "{cells} cells = 10 × 7 × 6; held out: {by_ink} (ink rule) + {by_pair} (pair rule) − {both} (both) = "
    "{held_out}; seen: {seen} = the table's sum, {table_sum:.0f}":
        "{cells} 个组合 = 10 × 7 × 6；留出：{by_ink}（墨色规则）+ {by_pair}（颜色对规则）− {both}（两条都符合）= {held_out}；见过："
        "{seen} = 表中各数之和 {table_sum:.0f}",
    "{subset:<21} {phrasings} phrasings, {size:>5,} captions, e.g. {trained!r}; kept out, e.g. {kept_out!r}":
        "{subset:<21} {phrasings} 种说法，{size:>5,} 条描述文本，例如 {trained!r}；留在训练之外的，例如 {kept_out!r}",
    "{n:,} training captions, plus the empty one": "{n:,} 条训练描述文本，外加一条空描述文本",
    "{prompt!r} → token ids {ids} → {tokens}": "{prompt!r} → 词元 id {ids} → {tokens}",
    "of 10,000 drawn captions: {dropped:.1%} dropped to ''; the rest name {shares}":
        "抽出的 10,000 条描述文本中：{dropped:.1%} 被丢弃为 ''；其余的按子集：{shares}",
    "course {course:.5f}, transformers {library:.5f}, ln(8) = {ln8:.5f}":
        "课程实现 {course:.5f}，transformers {library:.5f}，ln(8) = {ln8:.5f}",
    "{steps} steps: loss {first:.3f} → {last:.3f}": "{steps} 步：损失 {first:.3f} → {last:.3f}",
    "zero-shot accuracy on {n} coloured test images, with {template!r}: {accuracies}":
        "用 {template!r} 在 {n} 张彩色测试图像上做零样本分类的准确率：{accuracies}",
    "model card, all 500 test images:": "模型卡，全部 500 张测试图像：",
    "{n} of 10 rows have their maximum on the diagonal": "10 行中有 {n} 行的最大值落在对角线上",
    "The mini SD's text encoder is the mini CLIP's text tower, weight for weight.":
        "迷你 SD 的文本编码器就是迷你 CLIP 的文本塔，权重逐一相同。",
    "encoder_hidden_states for {prompt!r}: {shape}": "{prompt!r} 的 encoder_hidden_states：{shape}",
    "{steps} steps: loss per image {first:,.1f} → {last:,.1f}":
        "{steps} 步：每张图像的损失 {first:,.1f} → {last:,.1f}",
    "{image:,} numbers per image → {latent} per latent ({ratio}× fewer); mean PSNR {psnr:.2f} dB":
        "每张图像 {image:,} 个数 → 每个潜变量 {latent} 个（少了 {ratio} 倍）；平均 PSNR {psnr:.2f} dB",
    "per image: squared error {error:.1f}, β·KL = 1e-6 × {kl:,.0f} = {kl_part:.4f}, "
    "{share:.1e} of the squared error":
        "每张图像：平方误差 {error:.1f}，β·KL = 1e-6 × {kl:,.0f} = {kl_part:.4f}，是平方误差的 {share:.1e}",
    "latent table: {rows:,} rows (image, ink, background) of means and stds {shape}":
        "潜变量表：{rows:,} 行（图像、墨色、背景色），每行存形状为 {shape} 的均值和标准差",
    "std of the training latents {std:.2f}, so 1 / std = {factor:.4f}; "
    "the VAE's config says {configured:.4f} (SD v1: 0.18215, i.e. std {sd_std:.2f})":
        "训练潜变量的标准差为 {std:.2f}，所以 1 / std = {factor:.4f}；VAE 的配置写的是 {configured:.4f}（SD v1：0.18215，"
        "即标准差 {sd_std:.2f}）",
    "scaled latents: std {std:.3f}": "缩放后的潜变量：标准差 {std:.3f}",
    "{shape} caption hidden states; {steps} steps: loss {first:.3f} → {last:.3f}; checkpoints in {folder}: "
    "run the cell again and it resumes there":
        "描述文本的隐藏状态 {shape}；{steps} 步：损失 {first:.3f} → {last:.3f}；检查点在 {folder}：再次运行本单元，就会从那里断点续训",
    "{prompt!r}: pipeline and generate differ by at most {difference:.2g}":
        "{prompt!r}：管线与 generate 最多相差 {difference:.2g}",
    "the colour judge on {n} real coloured test images:": "颜色评判器在 {n} 张真实彩色测试图像上的表现：",
    "the grid's s = {s} row: {right} of 10 read as the prompted class, ink and background":
        "网格中 s = {s} 那一行：10 张中有 {right} 张的类别、墨色和背景色都被读成提示词所要求的",
    "class-only prompts {template!r}, {n} images each, class read right: guidance 1.0 → {at_1:.0%}, "
    "7.5 → {at_7:.0%}; unseen phrasing {phrasing!r} at 7.5 → {unseen:.0%} ({n_unseen} images)":
        "只写类别的提示词 {template!r}，各 {n} 张图像，类别读对的比例：引导比例 1.0 → {at_1:.0%}，7.5 → {at_7:.0%}；"
        "训练中没见过的说法 {phrasing!r} 在 7.5 下 → {unseen:.0%}（{n_unseen} 张图像）",
    "mini-CLIP score: {matched:.3f} with its own prompt, {mismatched:.3f} with the other nine":
        "迷你 CLIP 分数：与自己的提示词 {matched:.3f}，与其他九个 {mismatched:.3f}",
    "{n} of 10 held-out prompts read back with all three right": "10 个留出的提示词中，有 {n} 个画出的图像三者全被读对",
    "seen cells, guidance 3:": "见过的组合，引导比例 3：",
    "held-out cells, guidance 3:": "留出的组合，引导比例 3：",
    "model card: all three right (ink right), seen | held-out": "模型卡：三者全对（墨色对），见过的 | 留出的",
    "  {label}, guidance {scale}: ": "  {label}，引导比例 {scale}：",
    "canonical phrasing": "标准说法",
    "phrasings never trained on": "从未训练过的说法",
    "{all_three:5.1%} ({ink:5.1%}) of {count}": "{all_three:5.1%}（{ink:5.1%}），共 {count} 个",
    # the next two head a table: "步数" is as wide as " step", and each column starts where it did
    " step   all three right (product of the three) at guidance 3": " 步数   引导比例 3 下三者全对（三者比例之积）",
    "        seen              held-out": "        见过的组合        留出的组合",
    "all three vs the product: {gap:.1%} apart on average": "三者全对与三者比例之积：平均相差 {gap:.1%}",
    "{cells}, step {first} → {final}: all three ×{growth:.0f}, the attributes ×{factors}":
        "{cells}的组合，训练步 {first} → {final}：三者全对 ×{growth:.0f}，各属性 ×{factors}",
    "held-out": "留出",
    "at the end, the weakest attribute of the held-out images: {weakest}": "训练结束时，留出图像中最弱的属性：{weakest}",
    "The shipped mini SD's stages took {minutes:.0f} minutes in all on {machine} (at most: "
    "other jobs shared the cores); SD v1's reported 150,000 A100-hours (its model card) are more than "
    "{ratio:,.0f}× as many hours, each on a far faster chip.":
        "随课程发布的迷你 SD，各阶段在 {machine} 上总共用了 {minutes:.0f} 分钟（这是上限：当时还有其他任务共用 CPU 核心）；"
        "SD v1 报告的 150,000 个 A100 小时（见其模型卡）是它的 {ratio:,.0f} 倍以上，而且用的是快得多的芯片。",
    "{n:,} gradient numbers; largest difference, whole batch vs mean of the shards: "
    "{difference:.1e} (largest gradient {largest:.1e})":
        "梯度共 {n:,} 个数；整个批次对比各分片的均值，最大差异 {difference:.1e}（最大的梯度为 {largest:.1e}）",
    "process 0 and process 1 hold identical weights: {identical}": "进程 0 和进程 1 的权重完全相同：{identical}",
    "two processes vs one: largest weight difference {largest:.1e}; "
    "three steps moved the weights by up to {moved:.1e}":
        "两个进程对比一个进程：权重的最大差异 {largest:.1e}；三步训练让权重最多移动了 {moved:.1e}",
    "{n} pictures {shape}, first caption {caption!r}": "{n} 张图片 {shape}，第一条描述文本 {caption!r}",
    "notes:": "说明：",
    # notebook 07, printed text (notebooks/07_lora_fine_tuning.ipynb)
    "{mode} mode: {unet} with {parameters:,} parameters, pictures of {side}×{side}; "
    "a live LoRA run of {steps} steps here":
        "{mode} 模式：{unet}，共 {parameters:,} 个参数，图片 {side}×{side}；这里现场训练 LoRA {steps} 步",
    "outputs: largest difference {gap:.1e}; trainable: {mine:,} (mine) = {peft:,} (peft) of {total:,}; "
    "merged weights equal: True":
        "输出：最大差异 {gap:.1e}；可训练参数：{mine:,}（我的）= {peft:,}（peft），总数 {total:,}；合并后的权重相等：True",
    "W0 alone has {n:,} numbers: LoRA trains {share:.1%} of them":
        "仅 W0 就有 {n:,} 个数：LoRA 训练的数只有它的 {share:.1%}",
    "{label}: {n} attention projections; rank 4 adds {added:,} numbers to {total:,}, {share:.3%}":
        "{label}：{n} 个注意力投影；秩 4 在 {total:,} 个数之外增加 {added:,} 个，占 {share:.3%}",
    "SD v1.5's first cross-attention to_k, {k} → {d}: rank 4 trains {lora:,} numbers, W0 has {w0:,}":
        "SD v1.5 的第一个交叉注意力 to_k，{k} → {d}：秩 4 训练 {lora:,} 个数，W0 有 {w0:,} 个",
    "for example:": "例如：",
    "{n} pictures {shape}; {caption!r} → {tokens}": "{n} 张图片 {shape}；{caption!r} → {tokens}",
    "'orange' is token {token_id} of {size:,}": "'orange' 是词元 {token_id}（词表共 {size:,} 个）",
    "ink read as orange: {own:.0%} of the 20 concept pictures; {trip:.0%} of 70 real orange digits after a "
    "VAE round trip, by background: {by_background}":
        "墨色读作橙色：20 张概念图片中占 {own:.0%}；70 个真实的橙色数字在 VAE 里走一个来回之后占 {trip:.0%}，按背景色：{by_background}",
    "orange prompts, {n} pictures: ink read as orange {ink:.0%}, all three right {all_three:.0%}, "
    "median ink distance to orange {distance:.0f}":
        "橙色提示词，{n} 张图片：墨色读作橙色 {ink:.0%}，三者全对 {all_three:.0%}，墨色离橙色的距离中位数 {distance:.0f}",
    "palette prompts, {n} pictures: all three right {all_three:.0%}": "调色板提示词，{n} 张图片：三者全对 {all_three:.0%}",
    "for scale: red is {red:.0f} and yellow {yellow:.0f} away from orange":
        "作为参照：红色离橙色 {red:.0f}，黄色离橙色 {yellow:.0f}",
    "{trainable:,} trainable numbers of {total:,}; at the start the LoRA UNet predicts exactly what the base "
    "UNet does":
        "{total:,} 个数中可训练的有 {trainable:,} 个；开始时，LoRA UNet 的预测与基础 UNet 完全相同",
    "{n} training pictures: {concept} of the concept, {prior} to preserve the prior, e.g. {example!r}":
        "{n} 张训练图片：{concept} 张是概念图片，{prior} 张用于先验保持，例如 {example!r}",
    "{steps} steps of batch {batch}; loss on the training pictures at fixed noise: "
    "{before:.4f} → {after:.4f}; checkpoints in {folder}":
        "{steps} 步，批大小 {batch}；固定噪声下训练图片上的损失：{before:.4f} → {after:.4f}；检查点在 {folder}",
    "{file}: {size:,} bytes, {n} tensors, e.g. {key}": "{file}：{size:,} 字节，{n} 个张量，例如 {key}",
    "the shipped LoRA: {steps} steps of batch {batch}, learning rate {lr:g}; "
    "loss {first:.4f} → {last:.4f} (means of {every} steps)":
        "随课程发布的 LoRA：{steps} 步，批大小 {batch}，学习率 {lr:g}；损失 {first:.4f} → {last:.4f}（每 {every} 步的均值）",
    "orange prompts, {n} pictures: ink read as orange {ink_before:.0%} → {ink_after:.0%}; "
    "all three right {all_before:.0%} → {all_after:.0%}; median ink distance to orange {distance_before:.0f} "
    "→ {distance_after:.0f}":
        "橙色提示词，{n} 张图片：墨色读作橙色 {ink_before:.0%} → {ink_after:.0%}；三者全对 {all_before:.0%} → {all_after:.0%}；"
        "墨色离橙色的距离中位数 {distance_before:.0f} → {distance_after:.0f}",
    "model card, all {n} orange cells: ink read as orange {ink_before:.1%} → {ink_after:.1%}, as orange, "
    "red or yellow {warm_before:.1%} → {warm_after:.1%}; median distance {distance_before:.0f} → "
    "{distance_after:.0f}":
        "模型卡，全部 {n} 个橙色组合：墨色读作橙色 {ink_before:.1%} → {ink_after:.1%}，读作橙色、红色或黄色 {warm_before:.1%} → "
        "{warm_after:.1%}；距离中位数 {distance_before:.0f} → {distance_after:.0f}",
    "inks the judge read with the LoRA:": "加上 LoRA 后评判器读出的墨色：",
    "{label}: all three right {all_before:.0%} → {all_after:.0%} (digit {digit_before:.0%} → "
    "{digit_after:.0%}, ink {ink_before:.0%} → {ink_after:.0%}, background {background_before:.0%} → "
    "{background_after:.0%})":
        "{label}：三者全对 {all_before:.0%} → {all_after:.0%}（数字 {digit_before:.0%} → {digit_after:.0%}，"
        "墨色 {ink_before:.0%} → {ink_after:.0%}，背景色 {background_before:.0%} → {background_after:.0%}）",
    "palette prompts (what it knew)": "调色板提示词（它原本会的）",
    "orange prompts (what it learnt)": "橙色提示词（它新学的）",
    "model card, {n} palette cells: all three right {before:.1%} → {after:.1%}":
        "模型卡，{n} 个调色板组合：三者全对 {before:.1%} → {after:.1%}",
    "the LoRA file: {lora_bytes:,} bytes for {numbers:,} numbers; the UNet's own weights in float16: "
    "{unet_bytes:,} bytes ({share:.2%})":
        "LoRA 文件：{lora_bytes:,} 字节，存 {numbers:,} 个数；UNet 自身的权重（float16）：{unet_bytes:,} 字节（{share:.2%}）",
    "UNet parameters: base {base:,}; with the LoRA loaded {loaded:,} (+{added:,}); merged {merged:,}":
        "UNet 参数量：基础模型 {base:,}；加载 LoRA 后 {loaded:,}（+{added:,}）；合并后 {merged:,}",
    "merged vs unmerged pictures: largest pixel difference {difference:.1e}":
        "合并与未合并画出的图片：像素的最大差异 {difference:.1e}",
    "SD v1.5 alone, {word!r} prompts: ink read as orange {ink:.0%}, median distance {distance:.0f}":
        "仅用 SD v1.5，{word!r} 提示词：墨色读作橙色 {ink:.0%}，距离中位数 {distance:.0f}",
    "with the {word} LoRA: ink read as orange {ink:.0%}, median distance {distance:.0f}":
        "加上 {word} LoRA：墨色读作橙色 {ink:.0%}，距离中位数 {distance:.0f}",
    "model card, 70 orange cells and {n} palette cells:": "模型卡，70 个橙色组合和 {n} 个调色板组合：",
    "ink read as orange": "墨色读作橙色",
    "ink distance": "墨色距离",
    "palette cells": "调色板组合",
    "with {word!r}": "用 {word!r}",
    "SD v1.5's three models in float16: {gb:.1f} GB": "SD v1.5 的三个模型（float16）：{gb:.1f} GB",
    "SD v1.5's UNet with a rank-4 LoRA on its attention projections: {n:,} trainable numbers, "
    "{mb:.1f} MB in float16":
        "在 SD v1.5 UNet 的注意力投影上加秩为 4 的 LoRA：{n:,} 个可训练的数，float16 下 {mb:.1f} MB",
    "rehearsed on {machine}: {trainable:,} trainable numbers, a {size:,}-byte file, "
    "one step at {resolution} px in {seconds} s, peak memory {memory} GB":
        "在 {machine} 上演练过：{trainable:,} 个可训练的数，文件 {size:,} 字节，{resolution} px 下一步用时 {seconds} 秒，"
        "内存峰值 {memory} GB",
    # exercise checks: the exercises' names and hints (course_utils.checks.verdicts.assert_close: "{what}：" reads
    # well whether the name ends in Latin or in "）"); a key that starts with a space follows another sentence in
    # English, and the Chinese needs no space after "。"
    "{what} should be a torch.Tensor, got {type}.": "{what}：应当是 torch.Tensor，你给出的是 {type}。",
    "{what} has shape {shape}, expected {expected}.": "{what}：形状是 {shape}，应为 {expected}。",
    "{what} differs from the library by up to {diff:.3g} (allowed {atol:g}).":
        "{what}：与库的结果最多相差 {diff:.3g}（允许 {atol:g}）。",
    # exercise checks of notebook 01 (course_utils.checks.noise_schedules)
    "you returned {got} betas for {expected} timesteps.": "你返回了 {got} 个 β，而时间步有 {expected} 个。",
    " diffusers' alphas_cumprod[0] is already after one noising step, so β at index 0 is 1 − alphas_cumprod[0].":
        "diffusers 的 alphas_cumprod[0] 已经是加噪一步之后的值，所以下标 0 处的 β 是 1 − alphas_cumprod[0]。",
    "β ({kind} schedule)": "β（{kind} 调度）",
    "β from ᾱ": "由 ᾱ 反推 β",
    " At t = 0 the step lands on the clean image: ᾱ_prev = 1 and no noise is added.":
        "在 t = 0 时，这一步落在干净图像上：ᾱ_prev = 1，并且不加噪声。",
    " Mean: DDPM eq. 7; standard deviation √β̃_t; then + σ·noise.": "均值：DDPM 式 (7)；标准差：√β̃_t；然后再 + σ·noise。",
    "x_(t−1) at timestep {t} ({kind})": "时间步 {t} 处的 x_(t−1)（{kind}）",
    "the reverse (posterior) step": "反向（后验）步",
    "the sign is flipped: v = √ᾱ·ε − √(1−ᾱ)·x₀.": "符号反了：v = √ᾱ·ε − √(1−ᾱ)·x₀。",
    "v ({kind} schedule)": "v（{kind} 调度）",
    "the v-prediction target": "v 预测的目标",
    "you returned (ε, x₀); return x₀ first, then ε.": "你返回的是 (ε, x₀)；应先返回 x₀，再返回 ε。",
    "a sign is flipped: check each sign against x_t = √ᾱ·x₀ + √(1−ᾱ)·ε and v = √ᾱ·ε − √(1−ᾱ)·x₀.":
        "有一个符号反了：对照 x_t = √ᾱ·x₀ + √(1−ᾱ)·ε 和 v = √ᾱ·ε − √(1−ᾱ)·x₀ 逐一检查符号。",
    "√ᾱ and √(1−ᾱ) are the wrong way round: x₀ is mostly x_t when ᾱ is near 1 (little noise).":
        "√ᾱ 和 √(1−ᾱ) 用反了：ᾱ 接近 1（噪声很少）时，x₀ 基本上就是 x_t。",
    "v is not ε: v mixes ε and x₀, so x_t − √(1−ᾱ)·v does not undo the noising.":
        "v 不是 ε：v 混合了 ε 和 x₀，所以 x_t − √(1−ᾱ)·v 并不能撤销加噪。",
    "index alphas_cumprod with the timestep itself: alphas_cumprod[t] is ᾱ for diffusers' timestep t.":
        "直接用时间步本身去索引 alphas_cumprod：alphas_cumprod[t] 就是 diffusers 中时间步 t 的 ᾱ。",
    "return two tensors, (x0, noise); got {type}.": "请返回两个张量 (x0, noise)；你返回的是 {type}。",
    "x₀ ({kind} schedule)": "x₀（{kind} 调度）",
    "x₀ against DDPMScheduler.step ({kind} schedule)": "与 DDPMScheduler.step 对照的 x₀（{kind} 调度）",
    "ε ({kind} schedule)": "ε（{kind} 调度）",
    "x₀ and ε from v": "由 v 还原 x₀ 和 ε",
    # exercise checks of notebook 02 (course_utils.checks.class_conditioned_unet)
    "with flip_sin_to_cos={flip} the halves are the wrong way round: flip_sin_to_cos=True puts the cosines first.":
        "flip_sin_to_cos={flip} 时前后两半放反了：flip_sin_to_cos=True 时余弦在前。",
    "the embedding (dim={dim}, flip_sin_to_cos={flip}, freq_shift={shift})":
        "嵌入（dim={dim}，flip_sin_to_cos={flip}，freq_shift={shift}）",
    "the sinusoidal timestep embedding": "正弦时间步嵌入",
    "return a tuple (noisy_images, noise, timesteps).": "请返回一个元组 (noisy_images, noise, timesteps)。",
    "noise must be a tensor shaped like clean_images: torch.randn_like(clean_images).":
        "noise 必须是与 clean_images 形状相同的张量：torch.randn_like(clean_images)。",
    "the noise has mean {mean:.2f} and std {std:.2f}, but Gaussian noise has mean 0 and std 1.":
        "你的噪声均值为 {mean:.2f}、标准差为 {std:.2f}，而高斯噪声的均值为 0、标准差为 1。",
    " A mean near 0.5 means torch.rand_like (uniform); use torch.randn_like.":
        "均值接近 0.5 说明用的是 torch.rand_like（均匀分布）；请改用 torch.randn_like。",
    "timesteps must be a tensor with one timestep per image, shape (B,).":
        "timesteps 必须是每张图像一个时间步的张量，形状为 (B,)。",
    "timesteps must be integers: use torch.randint.": "timesteps 必须是整数：请用 torch.randint。",
    "timesteps must lie in [0, 999].": "timesteps 必须在 [0, 999] 之内。",
    "draw a random timestep per image, not one for the whole batch.": "请为每张图像各抽一个随机时间步，而不是整批共用一个。",
    "the noising step": "加噪步骤",
    " Add it to conv1's output (it then has out_channels channels, as time_emb_proj does), before norm2.":
        "应在 norm2 之前把它加到 conv1 的输出上（这时输出有 out_channels 个通道，与 time_emb_proj 的输出相同）。",
    "the time embedding is added to the block's input, before norm1 and conv1.":
        "时间步嵌入被加到了块的输入上，在 norm1 和 conv1 之前。",
    "the time embedding is added before conv1.": "时间步嵌入被加在了 conv1 之前。",
    "the time embedding is added after norm2.": "时间步嵌入被加在了 norm2 之后。",
    " Add it to conv1's output before norm2, so the normalisation sees the sum.":
        "应在 norm2 之前把它加到 conv1 的输出上，让归一化作用于两者之和。",
    "time_emb_proj gets the embedding as it comes.": "time_emb_proj 拿到的是未经处理的嵌入。",
    " Apply SiLU first: time_emb_proj(SiLU(temb)).": "应先做 SiLU：time_emb_proj(SiLU(temb))。",
    "the SiLU between {norm} and {conv} is missing: each conv comes after GroupNorm, then SiLU.":
        "{norm} 和 {conv} 之间少了 SiLU：每个卷积之前都要先做 GroupNorm，再做 SiLU。",
    "the residual is missing: return conv2's output plus the input (through conv_shortcut when the channel counts "
    "differ).":
        "少了残差连接：应返回 conv2 的输出加上输入（通道数不同时，输入先经过 conv_shortcut）。",
    "the output does not depend on the time embedding: add time_emb_proj(SiLU(temb)), reshaped to (B, C, 1, 1), to "
    "conv1's output.":
        "输出与时间步嵌入无关：应把 time_emb_proj(SiLU(temb)) 变形为 (B, C, 1, 1)，加到 conv1 的输出上。",
    "build the block as block_cls(in_channels, out_channels, temb_channels, groups=...) ({error}).":
        "这个块要能用 block_cls(in_channels, out_channels, temb_channels, groups=...) 构建（{error}）。",
    "diffusers' weights do not fit your layers' shapes: {error}": "diffusers 的权重与你的层的形状不符：{error}",
    "name the layers as diffusers does ({layers}); missing {missing}, unexpected {unexpected}.":
        "请按 diffusers 的方式给各层命名（{layers}）；缺少 {missing}，多出 {unexpected}。",
    "the block's output (in_channels={in_channels}, out_channels={out_channels})":
        "块的输出（in_channels={in_channels}，out_channels={out_channels}）",
    "the ResBlock with the time embedding": "接收时间步的残差块",
    "you used guidance_scale as Ho & Salimans' w.": "你把 guidance_scale 当成了 Ho & Salimans 公式中的 w。",
    " diffusers' s is w + 1 (s = 1 is plain conditional, no guidance), so w = s − 1; check: guidance_scale=1 must "
    "give ε_class.":
        "diffusers 的 s 是 w + 1（s = 1 就是普通的条件预测，没有引导），所以 w = s − 1；验证：guidance_scale=1 必须得到 "
        "ε_class。",
    "s = w + 1 means w = s − 1, not s + 1; check: guidance_scale=0 must give ε_null.":
        "s = w + 1 意味着 w = s − 1，而不是 s + 1；验证：guidance_scale=0 必须得到 ε_null。",
    "ε_null and ε_class are swapped: start from ε_null and move towards ε_class.":
        "ε_null 和 ε_class 对调了：应从 ε_null 出发，朝 ε_class 移动。",
    "the guided noise prediction (guidance_scale={s})": "引导后的噪声预测（guidance_scale={s}）",
    "the guidance combine": "引导组合",
    # exercise checks of notebook 03 (course_utils.checks.vae_latent_space)
    " Return four numbers: (batch, channels, height / f, width / f).": "请返回四个数：(batch, channels, height / f, width / f)。",
    " The first number is the batch size.": "第一个数是批大小。",
    " The channel count is vae.config.latent_channels; it is 4 only for SD v1's VAE.":
        "通道数是 vae.config.latent_channels；只有 SD v1 的 VAE 才是 4。",
    " This VAE downsamples by f = {factor}, not 8: work f out from vae.config, do not write it down.":
        "这个 VAE 的下采样倍数是 f = {factor}，不是 8：请从 vae.config 推算出 f，不要写死。",
    " One halving too many: the last block of the encoder keeps its size.": "多减半了一次：编码器的最后一个块不改变尺寸。",
    " Read the channels and the downsampling from vae.config.": "请从 vae.config 读出通道数和下采样倍数。",
    "this notebook's VAE": "本 notebook 的 VAE",
    "an f = {f} VAE with {c} latent channels (like LDM's kl-f{f})": "f = {f}、有 {c} 个潜在通道的 VAE（类似 LDM 的 kl-f{f}）",
    "{name}, {batch_size} image(s) of {height}×{width}: you gave {got}, the VAE makes {expected}.":
        "{name}，{batch_size} 张 {height}×{width} 的图像：你给出的是 {got}，VAE 实际得到 {expected}。",
    "latent shape": "潜变量的形状",
    "the KL (one number per image: sum over C, H, W)": "KL（每张图像一个数：对 C、H、W 求和）",
    "KL to a standard Gaussian": "到标准高斯分布的 KL",
    "return one number for all latents, not {n}: SD uses a single scaling_factor for every channel.":
        "请为所有潜变量返回一个数，而不是 {n} 个：SD 对每个通道使用同一个 scaling_factor。",
    "you returned the standard deviation; the factor *multiplies* the latents to bring their std to 1, so it is "
    "1 / std.":
        "你返回的是标准差；这个因子是*乘*到潜变量上、把它们的标准差变为 1 的，所以它是 1 / std。",
    "you gave {got:.5f}, 1 / std of all the latents' values is {expected:.5f}.":
        "你给出的是 {got:.5f}，而所有潜变量取值的 1 / std 是 {expected:.5f}。",
    "the scaling factor": "缩放因子",
    # exercise checks of notebook 04 (course_utils.checks.tokens_and_text_embeddings)
    "for a prompt of {length} tokens (start and end included) you said {got}, truncation drops {expected}.":
        "对于一个有 {length} 个词元（含起始和结束词元）的提示词，你的答案是 {got}，而截断会丢掉 {expected} 个。",
    "tokens lost to truncation": "被截断丢掉的词元",
    "that is one direction only: average the images→texts and texts→images losses.":
        "这只算了一个方向：应对“图像→文本”和“文本→图像”两个损失取平均。",
    "logit_scale is a logarithm: multiply the similarities by logit_scale.exp().":
        "logit_scale 是一个对数：应把相似度乘以 logit_scale.exp()。",
    "the contrastive loss": "对比损失",
    "CLIP's contrastive loss": "CLIP 的对比损失",
    "the scores must be divided by √d (d = q.shape[-1]) before the softmax.":
        "在 softmax 之前，分数必须除以 √d（d = q.shape[-1]）。",
    "softmax over the tokens (the last dimension, dim=-1): each image position's weights must sum to 1.":
        "应在词元上做 softmax（最后一维，dim=-1）：每个图像位置的权重之和必须为 1。",
    "the attention output (B, heads, queries, d)": "注意力的输出 (B, heads, queries, d)",
    "attention from Q, K, V": "由 Q、K、V 计算注意力",
    "the module itself is switched off inside the check: compute the output from attn.to_q, attn.to_k, attn.to_v, "
    "attn.heads and attn.to_out.":
        "检查时模块本身被关掉了：请用 attn.to_q、attn.to_k、attn.to_v、attn.heads 和 attn.to_out 算出输出。",
    "F.scaled_dot_product_attention does the √d, the softmax and the weighted sum for you, and it is what the check "
    "compares with: write softmax(QKᵀ/√d)·V yourself.":
        "F.scaled_dot_product_attention 替你做了 √d、softmax 和加权求和，而检查正是拿它来比对的：请自己写出 softmax(QKᵀ/√d)·V。",
    "x₀ = (x_t − √(1−ᾱ)·ε) / √ᾱ is right on paper, but at t = 999 the {kind} schedule has ᾱ = {abar:.1e}, and "
    "dividing by √ᾱ multiplies float32's rounding error by {gain:.0e}. Combine x_t and v without a division: "
    "(√ᾱ, √(1−ᾱ)) and (−√(1−ᾱ), √ᾱ) are the rows of a rotation.":
        "x₀ = (x_t − √(1−ᾱ)·ε) / √ᾱ 在公式上是对的，但在 t = 999 时 {kind} 调度的 ᾱ = {abar:.1e}，除以 √ᾱ "
        "会把 float32 的误差放大 {gain:.0e} 倍。请不用除法，直接组合 x_t 和 v："
        "(√ᾱ, √(1−ᾱ)) 与 (−√(1−ᾱ), √ᾱ) 是一个正交变换的两行。",
    "the scores must be divided by √d before the softmax; without it the softmax is far too peaked.":
        "在 softmax 之前，分数必须除以 √d；不除的话，softmax 的分布会过于尖锐。",
    "d is one head's width (inner_dim / heads = {inner_dim} / 4 = {d}), not the width of all heads together: split "
    "Q, K and V into attn.heads heads and scale each head's scores by 1/√d.":
        "d 是单个头的宽度（inner_dim / heads = {inner_dim} / 4 = {d}），而不是所有头加在一起的宽度：应把 Q、K、V 拆成 "
        "attn.heads 个头，并把每个头的分数乘以 1/√d。",
    "the softmax runs over the tokens (the last axis of the scores, dim=-1): each image position's weights over the "
    "text must sum to 1.":
        "softmax 应在词元上进行（分数的最后一个轴，dim=-1）：每个图像位置在文本上的权重之和必须为 1。",
    "after merging the heads, apply the output projection W_O: attn.to_out[0] (a Linear with a bias; to_out[1] is "
    "dropout).":
        "合并各个头之后，还要做输出投影 W_O：attn.to_out[0]（带偏置的 Linear；to_out[1] 是 dropout）。",
    "the heads were split with a plain view(B, heads, length, d): view as (B, length, heads, d), then "
    "transpose(1, 2); merge back the same way.":
        "拆分头时直接用了 view(B, heads, length, d)：应先 view 成 (B, length, heads, d)，再 transpose(1, 2)；"
        "合并时按同样的方式倒回去。",
    "the cross-attention output (B, queries, query_dim)": "交叉注意力的输出 (B, queries, query_dim)",
    "cross-attention by hand": "亲手实现交叉注意力",
    # exercise checks of notebook 05 (course_utils.checks.cfg_sampling_loop)
    " This is the last step: prev_t < 0, use ᾱ_prev = 1.": "这是最后一步：prev_t < 0，应使用 ᾱ_prev = 1。",
    " First x̂₀ = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t, then √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂.":
        "先算 x̂₀ = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t，再算 √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂。",
    "x at t_prev = {prev_t}": "t_prev = {prev_t} 处的 x",
    "the DDIM step": "DDIM 的一步",
    "ᾱ is scheduler.alphas_cumprod (the product ᾱ_t = α_1·…·α_t), not scheduler.alphas (one step's α_t).":
        "ᾱ 是 scheduler.alphas_cumprod（连乘积 ᾱ_t = α_1·…·α_t），而不是 scheduler.alphas（单步的 α_t）。",
    "SD's config has clip_sample=False: its latents are not confined to [−1, 1], so x̂₀ must not be clamped (clip x̂₀ "
    "only when scheduler.config.clip_sample is True).":
        "SD 的配置中 clip_sample=False：它的潜变量并不局限在 [−1, 1] 之内，所以不能裁剪 x̂₀"
        "（只有 scheduler.config.clip_sample 为 True 时才裁剪 x̂₀）。",
    "t_prev is off by one: it is t − num_train_timesteps // num_inference_steps = {t} − {step} = {prev_t}, not "
    "{wrong_prev} (integer division, as diffusers does; print scheduler.timesteps).":
        "t_prev 差了 1：它是 t − num_train_timesteps // num_inference_steps = {t} − {step} = {prev_t}，而不是 "
        "{wrong_prev}（像 diffusers 那样用整数除法；可以打印 scheduler.timesteps 看看）。",
    "At the last step t_prev = {prev_t} < 0: use ᾱ_prev = scheduler.final_alpha_cumprod (SD's set_alpha_to_one=False "
    "makes it alphas_cumprod[0]), not 1.":
        "最后一步的 t_prev = {prev_t} < 0：应使用 ᾱ_prev = scheduler.final_alpha_cumprod（SD 的 set_alpha_to_one=False "
        "使它等于 alphas_cumprod[0]），而不是 1。",
    "At the last step t_prev = {prev_t} < 0: use ᾱ_prev = scheduler.final_alpha_cumprod (SD's set_alpha_to_one=False "
    "makes it alphas_cumprod[0]); a negative index wraps around to the schedule's noisy end.":
        "最后一步的 t_prev = {prev_t} < 0：应使用 ᾱ_prev = scheduler.final_alpha_cumprod（SD 的 set_alpha_to_one=False "
        "使它等于 alphas_cumprod[0]）；负的下标会绕回到调度中噪声最大的那一端。",
    "indexing failed at t = {t} ({error}).": "在 t = {t} 处索引失败（{error}）。",
    " Timesteps are whole numbers: t_prev = t − num_train_timesteps // num_inference_steps.":
        "时间步是整数：t_prev = t − num_train_timesteps // num_inference_steps。",
    "return two tensors, (prev_sample, pred_original_sample), as DDIMScheduler.step does.":
        "请像 DDIMScheduler.step 那样返回两个张量 (prev_sample, pred_original_sample)。",
    "at t = {t}: {hint}": "在 t = {t} 处：{hint}",
    "x̂₀ at t = {t}": "t = {t} 处的 x̂₀",
    "x_t_prev at t = {t}": "t = {t} 处的 x_t_prev",
    "the DDIM scheduler step": "DDIM 调度器的一步",
    "return a tensor of timesteps ({name}).": "请返回由时间步组成的张量（{name}）。",
    "{name}: expected {expected}, got {got}.": "{name}：应为 {expected}，你给出的是 {got}。",
    " Keep the last int(num_inference_steps * strength) steps, counting scheduler.order entries per step.":
        "保留最后 int(num_inference_steps * strength) 步，每一步算 scheduler.order 个条目。",
    "img2img start timesteps": "图生图的起始时间步",
    "take the standard deviation per image (over all dims but the batch, keepdim=True), not over the whole batch.":
        "标准差要按每张图像计算（对除批次外的所有维度，keepdim=True），而不是对整个批次计算。",
    "the rescaled prediction (guidance_rescale={guidance_rescale})": "重新缩放后的预测（guidance_rescale={guidance_rescale}）",
    "guidance rescale": "引导的重新缩放",
    # exercise checks of notebook 06 (course_utils.checks.train_your_own_sd)
    "at step {step} of {total} (warm-up {warmup}) you give {got:.4f}, diffusers {expected:.4f}.":
        "共 {total} 步（预热 {warmup} 步）中的第 {step} 步：你给出 {got:.4f}，diffusers 给出 {expected:.4f}。",
    " Warm-up: step / warmup_steps; then ½ (1 + cos(π · progress)), progress from 0 to 1.":
        "预热阶段：step / warmup_steps；之后是 ½ (1 + cos(π · progress))，progress 从 0 增加到 1。",
    "warm-up + cosine learning-rate schedule": "预热 + 余弦学习率调度",
    "return one class id per image, shape {shape}.": "请为每张图像返回一个类别 id，形状为 {shape}。",
    "some images got another class than CLIP gives them.": "有些图像得到的类别与 CLIP 给出的不同。",
    " Normalise both embeddings to unit length before the dot product (cosine similarity), then take the argmax over "
    "the classes.":
        "做点积之前先把两种嵌入都归一化为单位长度（余弦相似度），再在类别上取 argmax。",
    "zero-shot classification": "零样本分类",
    "timesteps must lie in 0 … {last} (the scheduler's num_train_timesteps is {num_train_timesteps}).":
        "时间步必须在 0 … {last} 之内（调度器的 num_train_timesteps 为 {num_train_timesteps}）。",
    "among {n:,} draws not one t = {last}: torch.randint's upper bound is exclusive, so randint(0, {last}) never "
    "draws the noisiest step.":
        "{n:,} 次抽样中没有一次 t = {last}：torch.randint 的上界取不到，所以 randint(0, {last}) 永远抽不到噪声最大的那一步。",
    " Use num_train_timesteps as the bound.": "请用 num_train_timesteps 作为上界。",
    "among {n:,} draws not one t = 0: draw every t from 0 to {last}.":
        "{n:,} 次抽样中没有一次 t = 0：从 0 到 {last} 的每个 t 都要能抽到。",
    "the timesteps are not uniform over 0 … T − 1: every step should be equally likely.":
        "时间步在 0 … T − 1 上不是均匀分布的：每一步都应当等概率。",
    "{share:.0%} of the captions were dropped: draw once per example (torch.rand(B) < drop_prob), not once for the "
    "whole batch.":
        "有 {share:.0%} 的描述文本被丢弃：应每个样本各抽一次（torch.rand(B) < drop_prob），而不是整批只抽一次。",
    "you dropped {share:.0%} of the captions, not {drop_prob:.0%}: drop a caption when its random number is *below* "
    "drop_prob.":
        "你丢弃了 {share:.0%} 的描述文本，而不是 {drop_prob:.0%}：应在随机数*小于* drop_prob 时丢弃描述文本。",
    "{share:.1%} of the captions were replaced by the empty one; expected about {drop_prob:.0%}.":
        "有 {share:.1%} 的描述文本被换成了空描述文本；应约为 {drop_prob:.0%}。",
    "return the loss as a 0-d tensor first.": "第一个返回值应是损失，一个 0 维张量。",
    "return one timestep and one caption id per example, and noise shaped like the latents.":
        "请为每个样本返回一个时间步和一个描述文本 id，并返回与潜变量形状相同的噪声。",
    "a caption that is not dropped must stay the example's own caption id.":
        "没有被丢弃的描述文本必须保持为该样本自己的描述文本 id。",
    "the UNet saw every example's own caption: feed it the captions after dropout, caption_states[used_ids], so the "
    "dropped ones really are empty.":
        "UNet 看到的是每个样本自己的描述文本：要把丢弃之后的描述文本 caption_states[used_ids] 交给它，被丢弃的才真的是空的。",
    "ε (the noise)": "ε（噪声）",
    "the loss with prediction_type={prediction_type!r}, whose target is {target}":
        "prediction_type={prediction_type!r} 时的损失（其目标是 {target}）",
    "the noise must be standard Gaussian: torch.randn, not torch.rand.": "噪声必须服从标准高斯分布：用 torch.randn，而不是 torch.rand。",
    "draw everything from the generator you are given (generator=generator), so a step can be repeated.":
        "所有随机数都要从给你的生成器中抽取（generator=generator），这样同一步才能重现。",
    "a training step with caption dropout": "带描述文本丢弃的训练步",
    "the pairs are (ink, background): yellow ink on a purple background is held out, purple ink on yellow is seen.":
        "颜色对写作 (墨色, 背景色)：紫色背景上的黄色墨色是留出的，黄色背景上的紫色墨色是见过的。",
    "digits 7, 8 and 9 wrap around the seven colours: the ink is the palette's colour number d mod 7.":
        "数字 7、8、9 绕回七种颜色的开头：墨色是调色板中编号为 d mod 7 的颜色。",
    "a {ink} {digit} on {background} is held out by the ink rule: digit d is never drawn in colour number d mod 7, "
    "whatever the background.":
        "数字 {digit}（墨色 {ink}，背景 {background}）按墨色规则是留出的：无论背景是什么，数字 d 都从不用编号为 d mod 7 的颜色来画。",
    "{ink} ink on a {background} background is one of the three held-out pairs, for every digit.":
        "墨色 {ink} 配背景 {background} 是三种留出的颜色对之一，对每个数字都留出。",
    "a {ink} {digit} on {background} should be held out; only the two rules hold a cell out.":
        "数字 {digit}（墨色 {ink}，背景 {background}）应当是留出的；只有那两条规则会把一个组合留出。",
    "a {ink} {digit} on {background} should be seen; only the two rules hold a cell out.":
        "数字 {digit}（墨色 {ink}，背景 {background}）应当是见过的；只有那两条规则会把一个组合留出。",
    "{wrong} of 420 cells are on the wrong side: you hold out {counted}, the course {held_out}.":
        "420 个组合中有 {wrong} 个分错了：你留出了 {counted} 个，课程留出 {held_out} 个。",
    " Hint: {hint}": "提示：{hint}",
    "the held-out split": "留出划分",
    # exercise checks of notebook 07 (course_utils.checks.lora_fine_tuning)
    "lora_A is (r, in_features), lora_B is (out_features, r) and weight is (out_features, in_features), as in "
    "nn.Linear: {hint} (torch said: {error})":
        "lora_A 的形状是 (r, in_features)，lora_B 是 (out_features, r)，weight 是 (out_features, in_features)，"
        "与 nn.Linear 一致：{hint}（torch 的报错：{error}）",
    "the update of x is x @ lora_A.T @ lora_B.T, shaped (..., out_features).":
        "x 的更新量是 x @ lora_A.T @ lora_B.T，形状为 (..., out_features)。",
    "the update is scaled by α/r (LoRA §4.1): multiply B A x by alpha / r, with r = lora_A.shape[0].":
        "更新量要乘以 α/r（LoRA 论文 §4.1）：把 B A x 乘以 alpha / r，其中 r = lora_A.shape[0]。",
    "scale by α/r, not α alone: divide by the rank r = lora_A.shape[0].":
        "应乘以 α/r，而不是只乘 α：还要除以秩 r = lora_A.shape[0]。",
    "the scaling is upside down: α/r is alpha / r, not r / alpha.": "缩放倒过来了：α/r 是 alpha / r，不是 r / alpha。",
    "add the frozen layer's own output, W0 x + bias: LoRA adds to the layer, it does not replace it.":
        "要加上冻结层自己的输出 W0 x + bias：LoRA 是叠加在这一层上，而不是取代它。",
    "the frozen layer's bias belongs to its output: W0 x + bias, i.e. F.linear(x, weight, bias).":
        "冻结层的偏置属于它的输出：W0 x + bias，即 F.linear(x, weight, bias)。",
    "the output for a {in_features} → {out_features} layer with r = {rank}, α = {alpha}":
        "{in_features} → {out_features} 的层在 r = {rank}、α = {alpha} 时的输出",
    "the LoRA forward pass": "LoRA 的前向计算",
    "that counts r · in · out, a full matrix per rank.": "这样算的是 r · in · out，相当于每个秩一个完整矩阵。",
    " A is r × in_features and B is out_features × r: r · (in_features + out_features) per layer.":
        "A 是 r × in_features，B 是 out_features × r：每层 r · (in_features + out_features) 个。",
    "that is the size of the frozen weights W0; LoRA trains only A and B.": "这是冻结权重 W0 的大小；LoRA 只训练 A 和 B。",
    "you counted lora_A (r × in_features) only; lora_B adds out_features × r per layer.":
        "你只数了 lora_A（r × in_features）；lora_B 每层还有 out_features × r 个。",
    "you counted lora_B (out_features × r) only; lora_A adds r × in_features per layer.":
        "你只数了 lora_B（out_features × r）；lora_A 每层还有 r × in_features 个。",
    "you left out the layers named to_out.0, the first layer of the ModuleList to_out: match the end of the whole "
    "name, name.endswith('.' + target), not its last part.":
        "你漏掉了名为 to_out.0 的层，即 ModuleList to_out 中的第一层：应匹配整个名字的结尾，"
        "name.endswith('.' + target)，而不是只比较名字的最后一段。",
    "that is the count for rank {rank}: use the rank argument.": "这是秩为 {rank} 时的个数：请使用参数 rank。",
    "you left out the layers named {names}.": "你漏掉了名为 {names} 的层。",
    "you counted the layers of only some of target_names.": "你只数了 target_names 中一部分名字对应的层。",
    "count r · (in_features + out_features) for every nn.Linear whose name ends with one of target_names.":
        "对名字以 target_names 之一结尾的每个 nn.Linear，计 r · (in_features + out_features) 个。",
    "return the count as a whole number (an int), not {got!r}.": "请把个数作为整数（int）返回，而不是 {got!r}。",
    "for target_names={target_names} and rank={rank} peft adds {expected:,} parameters, you counted {number:,}: "
    "{hint}":
        "target_names={target_names}、rank={rank} 时 peft 增加 {expected:,} 个参数，你数出 {number:,} 个：{hint}",
    "LoRA's parameter count": "LoRA 的参数个数",
    "B A is lora_B @ lora_A, shaped like weight.": "B A 是 lora_B @ lora_A，形状与 weight 相同。",
    "B A is scaled by α/r (LoRA §4.1): add (alpha / rank) · lora_B @ lora_A.":
        "B A 要乘以 α/r（LoRA 论文 §4.1）：加上 (alpha / rank) · lora_B @ lora_A。",
    "scale by α/r, not α alone: divide by the rank.": "应乘以 α/r，而不是只乘 α：还要除以秩。",
    "the scaling is upside down: α/r is alpha / rank, not rank / alpha.": "缩放倒过来了：α/r 是 alpha / rank，不是 rank / alpha。",
    "that is ΔW alone: the merged weight is W0 + ΔW, so add weight.": "这只是 ΔW：合并后的权重是 W0 + ΔW，所以还要加上 weight。",
    "you returned the transpose: the merged weight has weight's shape, (out_features, in_features), as "
    "nn.Linear.weight.":
        "你返回的是转置：合并后的权重与 weight 形状相同，即 (out_features, in_features)，与 nn.Linear.weight 一致。",
    "the merged weight of a {in_features} → {out_features} layer with r = {rank}, α = {alpha}":
        "{in_features} → {out_features} 的层在 r = {rank}、α = {alpha} 时合并后的权重",
    "merging LoRA into the weight": "把 LoRA 合并进权重",
    # the colour judge's reading of one image (course_utils.colour_judge.ColourReading.describe): the colour names
    # stay the prompts' English words; both start with two characters a caller may cut off ("a ", "数字")
    "a {digit} in {ink} on {background}": "数字{digit}，墨色 {ink}，背景 {background}",
    # the static view of an interactive control (course_utils.widgets.explore)
    "no notebook kernel to show widgets; run this in Jupyter or Colab to move the controls":
        "没有能显示控件的 notebook 内核；在 Jupyter 或 Colab 中运行本单元即可拖动控件",
    "widgets off": "控件已关闭",
    "Static view ({why}): showing {n} fixed settings.": "静态视图（{why}）：展示 {n} 组固定设置。",
    # the judges' tables (colour_judge.CompositionAccuracy, evaluation.ClassAccuracy)
    "({n} images)": "（{n} 张图像）",
}
