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
    "UNet with cross-attention, 77-token prompts), trained by this course on 5,000 real handwritten digits (MNIST) "
    "and shipped with it. It draws 64x64 digits in an ink colour on a background colour (\"a red seven on a blue "
    "background\"), not photos; notebook 02 uses the same digits, white on black, in place of Fashion-MNIST.":
        "迷你模式：一个与 SD v1 设计相同的微型 Stable Diffusion（CLIP 文本编码器、缩小 8 倍且有 4 个潜在通道的 VAE、"
        "带交叉注意力的 UNet、77 个词元的提示词），由本课程在 5,000 张真实手写数字（MNIST）上训练，并随课程一同发布。"
        "它画的是 64×64 的数字，用一种笔迹颜色写在一种背景颜色上（“a red seven on a blue background”，即蓝色背景上的红色数字 7），"
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
    "β_n at the run's last update, n = {n}: {beta_n:.5f} (β = {beta}), an average over about {span:.0f} steps, "
    "not {full_span:.0f}":
        "本次训练最后一次更新（n = {n}）时的 β_n：{beta_n:.5f}（β = {beta}），相当于对约 {span:.0f} 步取平均，"
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
    "mean latent (scaled) at background positions, by background colour:": "背景位置上（缩放后）潜变量的平均值，按背景颜色分组：",
    "channel {c}": "通道 {c}",
    "brightness": "亮度",
    "{n:,} background positions: the colour explains R² = {r2:.3f} of the 4 numbers":
        "{n:,} 个背景位置：颜色解释了这 4 个数的 R² = {r2:.3f}",
    "read linearly from the 4 numbers: brightness R² = {luma:.3f}, RGB colour R² = {rgb:.3f}":
        "从这 4 个数线性读出：亮度 R² = {luma:.3f}，RGB 颜色 R² = {rgb:.3f}",
    "background colour from the 4 numbers by the 5 nearest neighbours: {accuracy:.1%} right (chance: {chance:.1%})":
        "用 5 个最近邻从这 4 个数读背景颜色：正确率 {accuracy:.1%}（随机猜测：{chance:.1%}）",
    "ink colour read linearly at {n:,} stroke positions: R² = {r2:.3f}": "在 {n:,} 个笔画位置上线性读出笔迹颜色：R² = {r2:.3f}",
    "photo {k}": "照片 {k}",
    "photo {k}, rotated": "照片 {k}，通道调换",
    "{name}: PSNR {psnr:.2f} dB, mean colour {before} → {after}": "{name}：PSNR {psnr:.2f} dB，平均颜色 {before} → {after}",
    "held out": "留出",
    "seen": "见过",
    "{name:>15} ({tag:>8}): PSNR {psnr:5.2f} dB; judge: original {original}, reconstruction {rebuilt}":
        "{name:>15}（{tag:>8}）：PSNR {psnr:5.2f} dB；评判器：原图 {original}，重建 {rebuilt}",
    "mean PSNR over the five seen pairs: {value:.2f} dB": "五对见过的颜色的平均 PSNR：{value:.2f} dB",
    "full mode: SD's VAE has no held-out colour pairs; this measurement is for the mini VAE.":
        "完整模式：SD 的 VAE 没有留出的颜色对；这项测量是针对迷你 VAE 的。",
    "seen cells": "见过的组合",
    "held-out ink for the digit": "该数字留出的笔迹颜色",
    "held-out pairs": "留出的颜色对",
    "all {n} digits: PSNR {value:.2f} dB (the model card: {card:.2f} dB)":
        "全部 {n} 个数字：PSNR {value:.2f} dB（模型卡：{card:.2f} dB）",
    "{name:>27}: {n:>3} digits, PSNR {value:5.2f} dB, same ink {ink:6.1%}, same background {bg:6.1%}":
        "{name:>27}：{n:>3} 个数字，PSNR {value:5.2f} dB，笔迹颜色不变 {ink:6.1%}，背景颜色不变 {bg:6.1%}",
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
    "ink colour": "笔迹颜色",
    "background colour": "背景颜色",
    "zero-shot accuracy on {n} held-out images, attribute by attribute:": "在 {n} 张留出图像上的零样本准确率，逐个属性：",
    "  {attribute:<18} {accuracy:6.1%}  (guessing: 1 in {options})":
        "  {attribute:<18} {accuracy:6.1%}（随机猜测：{options} 选 1）",
    "on the {n} images whose (digit, ink, background) training never showed:": "在其（数字、笔迹颜色、背景颜色）组合从未在训练中出现过的 {n} 张图像上：",
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
    "ink word > background word": "笔迹颜色词 > 背景颜色词",
    "{name} ({n}): {template!r}": "{name}（{n} 个）：{template!r}",
    "all layers, ink word's lift − background word's: {first:+.2f} in {template!r}, {second:+.2f} when the background colour comes first":
        "所有层，笔迹颜色词的提升倍数 − 背景颜色词的：在 {template!r} 中为 {first:+.2f}，背景颜色放在前面时为 {second:+.2f}",
    "as written": "原样",
    "ink word changed": "换了笔迹颜色词",
    "background word changed": "换了背景颜色词",
    "where it changed:\n{version}": "哪里变了：\n{version}",
    "{n} prompts, the same seed for each version; mean RGB change (0 to {most:.2f})":
        "{n} 个提示词，每个版本用相同的种子；RGB 的平均变化（0 到 {most:.2f}）",
    "on the background": "在背景上",
    "ink > background": "笔迹 > 背景",
    "the colour judge reads the same digit as in the original: {ink:.0%} ({ink_version}), {background:.0%} ({background_version})":
        "颜色评判器读出与原图相同的数字：{ink:.0%}（{ink_version}），{background:.0%}（{background_version}）",
    # figure text of notebooks 05, 06 and 07 (titles, axis labels, legends): 05 and 06 print in English
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
}
