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
    "and shipped with it. It draws 64x64 digits, not photos; notebook 02 uses the same digits in place of "
    "Fashion-MNIST.":
        "迷你模式：一个与 SD v1 设计相同的微型 Stable Diffusion（CLIP 文本编码器、缩小 8 倍且有 4 个潜在通道的 VAE、"
        "带交叉注意力的 UNet、77 个词元的提示词），由本课程在 5,000 张真实手写数字（MNIST）上训练，并随课程一同发布。"
        "它画的是 64×64 的数字，而不是照片；第 02 课用同样的数字代替 Fashion-MNIST。",
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
}
