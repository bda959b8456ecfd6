package benchseed

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Vocabulary of the generated parties. The names are fictitious and built
// from common parts, so that one company appears in several disputes (as
// real repeat parties do) and a name search finds a realistic handful.
var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
		"郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖",
		"田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢", "姚",
		"沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖", "石", "金", "韦", "贾", "夏", "付", "方", "邹", "熊",
		"白", "孟", "秦", "邱", "侯", "江", "尹", "薛", "闫", "段", "雷", "龙", "黎", "史", "陶", "贺", "毛", "郝"}
	givenChars = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
		"明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "建", "国", "文", "斌",
		"宇", "浩", "凯", "晨", "欣", "怡", "佳", "雪", "琳", "婷", "俊", "峰", "志", "海", "波", "亮", "飞", "林",
		"晓", "春", "梅", "兰", "德", "福", "荣", "鑫", "锋"}
	companyPlaces = []string{"福州", "福建", "厦门", "泉州", "莆田", "宁德", "漳州", "南平", "三明", "龙岩", "上海",
		"深圳", "广州", "杭州", "温州", "苏州", "东莞", "晋江", "石狮", "长乐"}
	companyWords = []string{"闽光", "榕城", "海峡", "鑫达", "华兴", "东方", "恒通", "中天", "瑞丰", "金盛", "永安",
		"宏远", "天成", "聚源", "创新", "博雅", "嘉禾", "锦程", "凯旋", "新锐", "盛世", "启明", "星辰", "万达",
		"金鼎", "银河", "百川", "合力", "同心", "致远", "德信", "宝丰", "汇丰", "正大", "光明", "安泰", "奥华",
		"振兴", "华瑞", "远航", "海纳", "顺昌", "泰和", "长青", "宏达", "福瑞", "融信", "鼎盛", "闽江", "武夷"}
	companyTrades = []string{"软件科技", "网络科技", "信息技术", "电子", "机械制造", "服装", "鞋业", "茶业", "食品",
		"文化传媒", "生物医药", "新材料", "智能装备", "家具", "陶瓷", "工艺品", "包装", "化工", "光电", "数码",
		"教育科技", "影视传媒", "餐饮管理", "贸易", "体育用品"}
	companySuffixes = []string{"有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"}
	regionCodes     = []string{"350102", "350103", "350104", "350105", "350111", "350112", "350121", "350181",
		"350203", "350503", "350582", "350302", "310115", "440305", "330106"}
	titles = map[string][]string{
		"invention_patent":        {"一种数据同步方法", "一种茶叶加工装置", "一种锂电池隔膜及其制备方法", "一种智能门锁控制系统", "一种鞋底防滑结构的制造方法"},
		"utility_model_patent":    {"一种便携式茶具", "一种可折叠包装箱", "一种鞋面透气结构", "一种多功能工具箱", "一种节能灯具"},
		"design_patent":           {"茶叶包装盒", "运动鞋", "台灯", "手机壳", "陶瓷茶杯"},
		"trademark":               {"“闽光”文字商标", "“榕城”图形商标", "“海峡”组合商标", "“武夷”文字商标", "“鑫达”文字商标"},
		"copyright":               {"美术作品《榕树》", "摄影作品《三坊七巷》", "文字作品《闽茶志》", "视听作品《福州古厝》", "图形作品《茶园地图》"},
		"software_copyright":      {"企业资源管理系统V1.0", "智慧茶园管理平台V2.0", "在线教育平台V3.1", "物流调度软件V1.2", "门店收银系统V4.0"},
		"trade_secret":            {"客户名单", "生产工艺配方", "设备图纸", "经营信息", "源代码"},
		"geographical_indication": {"福州茉莉花茶", "连江鲍鱼", "福鼎白茶", "平和琯溪蜜柚", "安溪铁观音"},
		"plant_variety":           {"茉莉花新品种", "茶树新品种", "水稻新品种", "蜜柚新品种", "食用菌新品种"},
		"layout_design":           {"电源管理芯片布图设计", "传感器芯片布图设计", "显示驱动芯片布图设计", "存储芯片布图设计", "射频芯片布图设计"},
	}
	summaries = map[string]string{
		"patent_infringement":    "被申请人未经许可制造、销售落入涉案专利权保护范围的产品，申请人请求调解。",
		"trademark_infringement": "被申请人在同类商品上使用与涉案注册商标近似的标识，容易导致混淆。",
		"copyright_infringement": "被申请人未经许可在其网站及门店宣传材料中使用申请人享有著作权的作品。",
		"trade_secret":           "被申请人的员工离职后使用申请人的商业秘密经营同类业务。",
		"unfair_competition":     "被申请人擅自使用与申请人有一定影响的商品名称、包装相同的标识。",
		"ownership":              "双方就合作研发形成的专利申请权归属发生争议。",
		"licensing_contract":     "双方就许可使用费的支付及许可范围发生争议。",
		"other":                  "双方就知识产权相关事项发生争议，申请调解。",
	}
	claimTexts = []string{"停止侵权，赔偿经济损失。", "停止侵权，赔偿经济损失及合理维权开支。", "确认权属，支付许可使用费。",
		"停止使用涉案标识，销毁库存侵权产品。", "赔礼道歉，消除影响，赔偿损失。"}
	lawyers = []string{"郑", "林", "陈", "黄", "王", "李"}
)

// company is one generated enterprise: a name and a valid credit code.
type company struct {
	Name, CreditCode string
}

// companyPool returns n distinct companies in a stable order.
func companyPool(r *rand.Rand, n int) []company {
	seen := make(map[string]bool, n)
	out := make([]company, 0, n)
	for len(out) < n {
		name := pick(r, companyPlaces) + pick(r, companyWords) + pick(r, companyTrades) + pick(r, companySuffixes)
		if seen[name] {
			if len(seen) > n*4 {
				break
			}
			// Disambiguate like real registrations do: 福州鑫达二电子有限公司.
			name = strings.Replace(name, pick(r, companyTrades), pick(r, companyTrades), 1)
			if seen[name] {
				continue
			}
		}
		seen[name] = true
		out = append(out, company{Name: name, CreditCode: creditCode(r)})
	}
	return out
}

// personName returns a two- or three-character Chinese name.
func personName(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return pick(r, surnames) + pick(r, givenChars)
	}
	return pick(r, surnames) + pick(r, givenChars) + pick(r, givenChars)
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCode returns a unified social credit code with a valid GB 32100
// check character: 91 (enterprise), a Fujian-or-elsewhere region and a
// random organisation code.
func creditCode(r *rand.Rand) string {
	b := make([]byte, 18)
	copy(b, "91")
	copy(b[2:], pick(r, regionCodes))
	for i := 8; i < 17; i++ {
		b[i] = creditCharset[r.IntN(len(creditCharset))]
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(creditCharset, b[i]) * creditWeights[i]
	}
	b[17] = creditCharset[(31-sum%31)%31]
	return string(b)
}

var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentID returns an 18-character resident identity number with a real
// birth date and a valid GB 11643 check character.
func residentID(r *rand.Rand) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(50*365))
	body := fmt.Sprintf("%s%s%03d", pick(r, regionCodes), birth.Format("20060102"), r.IntN(1000))
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * residentWeights[i]
	}
	return body + string("10X98765432"[sum%11])
}

// mobile returns a mainland mobile number.
func mobile(r *rand.Rand) string {
	return fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
}

// patentNumber returns a valid application number "YYYYTNNNNNNN.C" of the
// given type digit (1 invention, 2 utility model, 3 design).
func patentNumber(r *rand.Rand, typeDigit int) string {
	body := fmt.Sprintf("%04d%d%07d", 2010+r.IntN(16), typeDigit, r.IntN(10_000_000))
	sum := 0
	for i := 0; i < len(body); i++ {
		sum += int(body[i]-'0') * (2 + i%8)
	}
	c := byte('0' + sum%11)
	if sum%11 == 10 {
		c = 'X'
	}
	return body + "." + string(c)
}

// trademarkNumber returns an 8-digit registration number.
func trademarkNumber(r *rand.Rand) string { return fmt.Sprintf("%d", 10_000_000+r.IntN(60_000_000)) }

// copyrightNumber returns a works or a software registration number.
func copyrightNumber(r *rand.Rand, software bool) string {
	year := 2012 + r.IntN(14)
	if software {
		return fmt.Sprintf("%dSR%07d", year, r.IntN(10_000_000))
	}
	return fmt.Sprintf("闽作登字-%d-%c-%08d", year, "ABCDEFGHIJKL"[r.IntN(12)], r.IntN(100_000_000))
}

// rightFor returns the kind and number of an IP right fitting the dispute.
func rightFor(r *rand.Rand, disputeType string) (kind, number string) {
	switch disputeType {
	case "patent_infringement", "ownership":
		switch x := r.IntN(10); {
		case x < 4:
			return "invention_patent", patentNumber(r, 1)
		case x < 8:
			return "utility_model_patent", patentNumber(r, 2)
		default:
			return "design_patent", patentNumber(r, 3)
		}
	case "trademark_infringement":
		return "trademark", trademarkNumber(r)
	case "copyright_infringement":
		if r.IntN(2) == 0 {
			return "software_copyright", copyrightNumber(r, true)
		}
		return "copyright", copyrightNumber(r, false)
	case "trade_secret":
		return "trade_secret", ""
	case "unfair_competition":
		if r.IntN(2) == 0 {
			return "trademark", trademarkNumber(r)
		}
		return "trade_secret", ""
	case "licensing_contract":
		if r.IntN(2) == 0 {
			return "invention_patent", patentNumber(r, 1)
		}
		return "software_copyright", copyrightNumber(r, true)
	default:
		switch r.IntN(3) {
		case 0:
			return "geographical_indication", fmt.Sprintf("地理标志产品登记%04d", r.IntN(10000))
		case 1:
			return "plant_variety", fmt.Sprintf("CNA%08d.%d", r.IntN(100_000_000), r.IntN(10))
		default:
			return "layout_design", fmt.Sprintf("BS.%09d", r.IntN(1_000_000_000))
		}
	}
}

// cipherPool is a set of strings shaped like internal/pii ciphertexts
// ("v1:<key id>:<base64>"). They decrypt to nothing: the list pages never
// read them, and the case page of a seeded case is not benchmarked.
func cipherPool(r *rand.Rand, n int) []string {
	out := make([]string, n)
	b := make([]byte, 40)
	for i := range out {
		for j := range b {
			b[j] = byte(r.UintN(256))
		}
		out[i] = "v1:bench:" + base64.StdEncoding.EncodeToString(b[:20+r.IntN(20)])
	}
	return out
}

// idHash returns a 64-hex string shaped like the HMAC blind index of an
// identity number (internal/pii), distinct per person.
func idHash(r *rand.Rand) string {
	var b [32]byte
	for i := 0; i < 32; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

// weighted picks an index of weights with probability proportional to it.
func weighted(r *rand.Rand, weights []int, total int) int {
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func sum(ws []int) int {
	t := 0
	for _, w := range ws {
		t += w
	}
	return t
}
