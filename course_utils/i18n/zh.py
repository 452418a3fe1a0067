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
}
